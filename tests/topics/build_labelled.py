"""Build tests/topics/labelled.json: hand-written labelled articles for the relevance classifier.

Run: python tests/topics/build_labelled.py
Every article here is original writing for the evaluation set (not copied from any outlet).
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ITEMS = []


def add(id_, title, paras, relevant, sectors, theme, note):
    ITEMS.append({
        "id": id_,
        "title": title,
        "body": "\n\n".join(p.strip() for p in paras),
        "relevant": relevant,
        "sectors": sectors,
        "theme": theme,
        "note": note,
    })


def R(id_, title, paras, sectors, theme, note):
    add(id_, title, paras, True, sectors, theme, note)


def N(id_, title, paras, theme, note):
    add(id_, title, paras, False, [], theme, note)


# ---------------------------------------------------------------- relevant

R("r001", "Dar says tariff deal with Washington is 'days away' after Rubio talks", [
    "Foreign Minister Ishaq Dar said on Friday that Islamabad and Washington were within days of settling the 29 per cent reciprocal tariff the Trump administration imposed on Pakistani goods in April, after what he called a productive meeting with Secretary of State Marco Rubio at the State Department.",
    "Speaking later at a Washington think-tank, Mr Dar said negotiators had narrowed their differences to a handful of tariff lines. \"We are not talking months, or even weeks,\" he said. Officials familiar with the talks said Pakistan had offered to buy more American farm goods and energy to trim its trade surplus with the US.",
    "Mr Rubio said the two sides also discussed critical minerals and mining, describing Pakistan's copper and rare earth deposits as an area where American companies could play a larger role.",
], ["trade-tariffs", "mining-minerals", "investment"], "tariffs",
  "FM and Secretary of State talk about the bilateral tariff deal, minerals and US investment")

R("r002", "US lowers reciprocal tariff on Pakistani goods to 19pc under new trade pact", [
    "The United States has cut the reciprocal tariff on imports from Pakistan to 19 per cent from the 29pc announced in April, under a trade agreement concluded in Washington late on Wednesday, the finance ministry said.",
    "Finance Minister Muhammad Aurangzeb described the pact as the start of a new era of economic collaboration, saying it would give Pakistani exporters firmer footing in their largest single market. The agreement also provides for cooperation on developing Pakistan's oil reserves, with President Donald Trump saying on social media that American companies would work with Islamabad on the project.",
    "Commerce ministry officials said details of market access for US goods, including farm products and energy, would be made public once the text was finalised.",
], ["trade-tariffs", "energy"], "tariffs",
  "the bilateral trade agreement itself: US tariff on Pakistani goods cut, oil cooperation")

R("r003", "Faisalabad mills breathe easier as US duty falls below regional rivals'", [
    "Textile exporters in Faisalabad and Karachi welcomed the cut in the American reciprocal tariff on Pakistani goods to 19pc, noting that it leaves them slightly better placed than competitors in India, Vietnam and Bangladesh on apparel and home textiles bound for US retailers.",
    "\"Our buyers in New York were holding spring orders because nobody knew the landed cost,\" said the owner of a towel mill that ships most of its output across the Atlantic. \"Now we can quote again.\"",
    "The All Pakistan Textile Mills Association cautioned that the advantage would be short-lived unless energy prices at home came down. Textiles make up the bulk of the roughly $5bn a year that Pakistan sells to the US.",
], ["textiles", "trade-tariffs"], "textiles-tariffs",
  "exporters' reaction to the US tariff on Pakistani textiles; India/Vietnam only as comparison")

R("r004", "US Strategic Metals, FWO sign $500m minerals MoU", [
    "Missouri-based US Strategic Metals has signed a memorandum of understanding worth about $500 million with the Frontier Works Organization to explore and process critical minerals in Pakistan, including antimony, copper and rare earth elements.",
    "The signing in Islamabad was attended by Prime Minister Shehbaz Sharif and Field Marshal Asim Munir. Under the arrangement, the American company will help set up processing facilities inside Pakistan, with a first consignment of ore samples to be shipped to the United States for testing next month.",
    "Officials said the deal was the first tangible outcome of Washington's stated interest in Pakistan's mineral wealth, and that other US firms were in talks through the Special Investment Facilitation Council.",
], ["mining-minerals", "investment"], "critical-minerals",
  "US company's minerals investment deal with a Pakistani state firm")

R("r005", "First consignment of antimony and rare earth samples leaves for America", [
    "A first consignment of ore samples, including antimony, copper concentrate and rare earth elements such as neodymium and praseodymium, was dispatched to the United States this week under the agreement between the Frontier Works Organization and a Missouri metals company.",
    "The shipment, described by officials as symbolic but significant, will be assayed at American facilities to determine grades and a processing route. If the results are good, the company plans to build a refinery in Pakistan rather than export raw ore.",
    "Politicians in Balochistan and Khyber Pakhtunkhwa have asked for the revenue-sharing terms to be made public before larger volumes move.",
], ["mining-minerals"], "critical-minerals",
  "mineral shipment under a US–Pakistan minerals deal; single sector")

R("r006", "Aurangzeb meets US Treasury team on sidelines of annual meetings", [
    "Finance Minister Muhammad Aurangzeb met senior officials of the US Treasury Department in Washington on Thursday, a day after the IMF announced a staff-level agreement on Pakistan's loan review.",
    "According to the finance ministry, Mr Aurangzeb thanked the American side, whose government is the Fund's largest shareholder, for its support for the programme and briefed it on tax and energy reforms. The two sides also discussed opportunities for US investment in minerals and technology, and the role the US International Development Finance Corporation could play.",
    "The staff-level deal, once approved by the IMF executive board, will release about $1.2bn to Islamabad.",
], ["finance-imf", "investment"], "imf-us-treasury",
  "IMF review news but with a US Treasury meeting on US support and investment: US party present")

R("r007", "Envoy pitches 'economically entrenched' partnership at State Department", [
    "Islamabad's ambassador in Washington, Rizwan Saeed Sheikh, has called for ties with the US to be rebuilt around trade, investment and energy rather than the security agenda that dominated past decades.",
    "After meeting Paul Kapur, the new Assistant Secretary of State for South and Central Asia, Mr Sheikh wrote on X that the two had discussed ways to turn the goodwill expressed by the leadership into an economically entrenched strategic partnership. Embassy officials said he pressed for working-level groups on energy cooperation and on market access for Pakistani goods.",
    "Mr Kapur said the talks covered how to make both countries more prosperous and secure.",
], ["trade-tariffs", "investment", "energy"], "diplomacy-economic",
  "diplomatic meeting whose substance is the economic partnership (trade, investment, energy)")

R("r008", "US cotton sales to Pakistan hit record as mills chase tariff edge", [
    "Pakistani spinners bought more American cotton this marketing year than at any time on record, according to a report by the US Department of Agriculture's attaché in Islamabad, as mills use US fibre to strengthen their standing with American buyers and trade officials.",
    "The report placed Pakistan among the top destinations for US upland cotton, alongside Vietnam and Bangladesh, and said soybean shipments, mostly for poultry feed, were also running at a record pace.",
    "Traders in Karachi said US cotton commanded a premium over Brazilian supplies but was preferred for its consistency. Government officials have cited the purchases as evidence that the country is narrowing its trade surplus with Washington.",
], ["agriculture", "textiles", "trade-tariffs"], "cotton-soybeans",
  "US farm exports to Pakistan (cotton, soybeans) and the tariff angle")

R("r009", "Feed millers lock in American soybeans for winter", [
    "Poultry feed manufacturers in Punjab have booked several large cargoes of soybeans from US Gulf ports for delivery between December and February, traders said, taking advantage of softer prices after Chinese buyers cut their purchases of American beans.",
    "Imports resumed last year after a long dispute over genetically modified cargoes was settled. \"American beans are the cheapest on the water right now,\" said a Lahore-based broker. Importers said the US share of the country's soybean supply could exceed 60 per cent this season, up from under half two years ago.",
], ["agriculture"], "cotton-soybeans",
  "single-sector farm trade: Pakistani importers buying US soybeans; China only as price context")

R("r010", "EXIM signals $1.25bn for Reko Diq", [
    "The Export-Import Bank of the United States has indicated it could provide up to $1.25 billion in financing for the Reko Diq copper-gold project in Balochistan, operated by Barrick, in what would be one of the largest US government-backed commitments to Pakistan in years.",
    "A letter of interest seen by this newspaper says the financing would support purchases of American mining equipment and services for the project's first phase. Barrick is assembling a group of lenders for the mine, which is expected to begin production later this decade.",
    "Officials in Islamabad said the American backing would help crowd in other lenders and show that the country is open for large mining investment.",
], ["mining-minerals", "finance-imf", "investment"], "reko-diq-exim",
  "US EXIM financing for a Pakistani mining project")

R("r011", "Pakistan signs MoU with US developers on Roosevelt Hotel", [
    "Pakistan has signed a memorandum of understanding with a group of American developers to redevelop the Roosevelt Hotel in Midtown Manhattan, the state-owned property that has been closed to guests since 2020.",
    "Under the proposed structure, the government would keep ownership of the land while the US partners finance and build a mixed-use tower, with Islamabad receiving a share of the revenue. The privatisation ministry said the deal could unlock value from one of the country's largest overseas assets.",
    "The hotel was until last year leased to New York City as a shelter for migrants.",
], ["investment"], "roosevelt-hotel",
  "Pakistani state asset in the US redeveloped with American developers: bilateral investment")

R("r012", "Aurangzeb, Lutnick discuss IT, mining and energy investment", [
    "Finance Minister Muhammad Aurangzeb met US Commerce Secretary Howard Lutnick at the Department of Commerce in Washington on Tuesday, with both sides agreeing to push for American investment in Pakistan's technology, mining and energy sectors.",
    "The Pakistani delegation included the commerce secretary and Ambassador Rizwan Saeed Sheikh. A finance ministry statement said the two sides also reviewed progress under last year's tariff arrangement and agreed to stay in close contact on large investment projects.",
    "Mr Aurangzeb thanked the US Chamber of Commerce for organising a trade and investment forum on 31 March, which he said would bring chief executives from both countries together.",
], ["trade-tariffs", "investment", "it-digital", "mining-minerals", "energy"], "aurangzeb-lutnick",
  "ministerial meeting on trade and US investment across several sectors")

R("r013", "14 MoUs worth $3.4bn signed at Washington forum", [
    "Pakistani and American companies signed 14 memorandums of understanding worth an estimated $3.4 billion at the US–Pakistan Trade and Investment Forum hosted by the US Chamber of Commerce in Washington on Tuesday.",
    "The agreements span data centres and software services, liquefied natural gas, power generation and food processing. Several were between US technology companies and Pakistani IT firms seeking to grow their American client base.",
    "Addressing the forum, Finance Minister Muhammad Aurangzeb said MoUs were a beginning, not a destination, and promised that the Special Investment Facilitation Council would track each one. The chamber announced that a US trade mission would visit Karachi and Lahore in the autumn.",
], ["investment", "trade-tariffs", "it-digital", "energy"], "trade-forum",
  "bilateral business deals signed at a US–Pakistan trade and investment forum")

R("r014", "IT exports to America cross $1.5bn in ten months", [
    "Pakistan's exports of computer and IT services to the United States crossed $1.5 billion in the first ten months of the fiscal year, State Bank data show, making America by far the largest market for the country's software houses and freelancers.",
    "The Pakistan Software Export Board said growth came from cloud support, fintech development and back-office contracts for American healthcare and logistics firms. Several US technology companies have opened offices in Lahore and Karachi this year to tap engineering talent.",
    "Industry leaders said more reliable internet and faster conversion of earnings would be needed to keep up the pace.",
], ["it-digital", "investment"], "it-exports",
  "IT services exports to US clients and US tech firms opening offices")

R("r015", "Lahore software house wins five-year contract from US health insurer", [
    "A Lahore-based software company has won a five-year contract worth about $40 million to build and maintain claims-processing software for a mid-sized health insurer in the American Midwest, the company told the stock exchange on Monday.",
    "The firm, which already counts several US hospital networks among its clients, said it would hire around 300 engineers in Lahore and Islamabad to service the account. Its shares rose 7 per cent.",
    "Analysts said the deal showed local IT exporters moving up from staff augmentation to longer, higher-value engagements with clients in the United States.",
], ["it-digital"], "it-exports",
  "single company's IT export contract with a US client")

R("r016", "American cloud company opens Karachi engineering hub", [
    "A US cloud-infrastructure company has opened an engineering centre in Karachi that it expects to staff with 200 people within a year, the first of several American technology firms that officials say are setting up in the country.",
    "The company's chief technology officer, speaking at the launch, said the hub would support customers in North America around the clock. The Pakistan Software Export Board said it had helped the firm with registration and tax incentives under the special technology zones regime.",
], ["it-digital", "investment"], "us-tech-investment",
  "US tech firm investing in a Pakistani engineering centre serving US customers")

R("r017", "Remittances from the US hit record $3.8bn", [
    "Workers' remittances from the United States reached a record $3.8 billion in July–May of FY26, up about 20 per cent from a year earlier, the State Bank of Pakistan reported on Thursday.",
    "The US is now the fourth-largest source of home remittances after Saudi Arabia, the UAE and the UK. Bankers attributed the rise to wider use of formal channels, incentives for digital transfers and a narrow gap between the interbank and open-market exchange rates.",
], ["remittances"], "remittances",
  "single-sector: remittances from the US")

R("r018", "Finance ministry plans dollar bonds for diaspora in America", [
    "The finance ministry is preparing a diaspora bond aimed at Pakistanis living in the United States, officials said, hoping to tap a community that sent home a record amount this year.",
    "The bonds, to be sold through the Roshan Digital Account platform and possibly through a US-registered offering, would pay a fixed coupon in dollars. Officials said they had held preliminary talks with American investment banks and community organisations in Houston, Chicago and New Jersey.",
    "An earlier scheme, Naya Pakistan Certificates, drew a large share of its subscriptions from North America.",
], ["remittances", "finance-imf"], "remittances",
  "government financing from the US-based diaspora, with US banks")

R("r019", "PLL signs first term deal for US LNG cargoes", [
    "Pakistan LNG Limited has agreed to buy liquefied natural gas from a US exporter under a medium-term contract, officials said, the first such arrangement with an American supplier.",
    "The deal covers up to one cargo a month from the US Gulf Coast starting next year, priced against the Henry Hub benchmark. Petroleum Division officials said the contract would diversify supply away from Qatar and help reduce the trade surplus with Washington, a key American demand in last year's tariff talks.",
], ["energy", "trade-tariffs"], "us-lng",
  "energy trade: Pakistan buying US LNG")

R("r020", "ExxonMobil returns to Pakistan's offshore Indus basin", [
    "ExxonMobil has agreed to take a stake in an offshore exploration block in the Indus basin, marking the return of the American major to Pakistan after a gap of several years.",
    "The Petroleum Division said the company would partner with local explorers including OGDCL and PPL on seismic surveys in deep water off Sindh. Officials hope the entry of a US major will draw other international companies into the current offshore bidding round.",
    "ExxonMobil took part in the unsuccessful Kekra-1 deep-water well in 2019.",
], ["energy", "investment"], "exxon-exploration",
  "US oil major investing in Pakistani offshore exploration")

R("r021", "US trade mission arrives in Karachi with agribusiness, tech firms", [
    "A trade mission of around 30 American companies arrived in Karachi on Monday for meetings with textile mills, food processors and technology firms, before travelling on to Lahore later in the week.",
    "The mission, organised by the US Chamber of Commerce with the Commerce Department, was announced at the Washington forum in March. Participants include cotton merchants, farm equipment makers, and software and payments companies.",
    "AmCham Pakistan's president said members hoped the visit would lead to firm orders rather than more MoUs. Textile exporters are expected to press for US cotton on credit terms.",
], ["trade-tariffs", "textiles", "agriculture", "it-digital"], "trade-mission",
  "US business delegation seeking trade deals in Pakistan")

R("r022", "Opinion: Our exports to America cannot be only towels and jeans", [
    "Every discussion of our trade with the United States ends in the same place: textiles. They make up most of what we sell to American shoppers, and the cut in the reciprocal tariff to 19pc was celebrated as a win for the mills. It was, but it also exposed how narrow our offering is.",
    "Washington has made clear that it wants a more balanced relationship. That means buying more from the US, yes, but also selling things other than bedsheets. Our software houses already earn well over a billion dollars a year from American clients with little help from the state. Surgical instruments from Sialkot and rice from Punjab have room to grow.",
    "The commerce ministry should treat the tariff deal as a floor, not a ceiling, and bring IT and farm exporters into the next round of talks with the USTR.",
], ["trade-tariffs", "textiles", "it-digital"], "export-diversification",
  "op-ed on diversifying Pakistan's exports to the US; uses 'we/our' not the country name")

R("r023", "Opinion: Minerals diplomacy needs more than photo-ops", [
    "The excitement in Islamabad over American interest in our minerals is understandable. Copper, antimony and rare earths are exactly what Washington wants as it tries to cut its reliance on Chinese supply chains, and we have them in the ground.",
    "But memorandums are cheap. Reko Diq took three decades and an international arbitration to reach this point. If US companies are to commit real money, they will want a clear mining code, security in Balochistan and a guarantee that the rules will not change when governments do.",
    "The provinces, too, need a stake. A minerals partnership with the United States that leaves local communities feeling robbed will not last. The government should publish the terms of its agreements with American firms and let parliament debate them.",
], ["mining-minerals", "investment"], "critical-minerals",
  "op-ed on US–Pakistan minerals cooperation and US investment")

R("r024", "AmCham members plan to expand, survey finds", [
    "Nearly two-thirds of American companies operating in Pakistan plan to increase their investment over the next two years, according to a survey released by AmCham Pakistan on Wednesday.",
    "Respondents, who include consumer goods, energy and technology firms, cited improved macroeconomic stability but named tax unpredictability and delays in repatriating profits as their main concerns. The chamber said it would share the findings with the finance ministry and the US embassy.",
], ["investment"], "amcham",
  "short brief on US companies' investment plans in Pakistan")

R("r025", "PSEB delegation woos Silicon Valley", [
    "A Pakistan Software Export Board delegation of 25 IT companies held meetings with venture investors and technology buyers in San Francisco and San Jose this week, seeking contracts and partnerships with American firms.",
    "PSEB's managing director said the companies had signed two outsourcing agreements and were negotiating others worth over $60 million. The board plans a similar visit to Texas in the autumn.",
], ["it-digital"], "it-exports",
  "short brief: Pakistani IT firms seeking US clients")

R("r026", "The field marshal's White House lunch: what was on the table", [
    "Field Marshal Asim Munir's lunch with President Donald Trump at the White House drew attention mainly for its symbolism: a serving US president hosting a Pakistani army chief without civilian leaders present. Most early coverage focused on the recent India–Pakistan clash and regional security, with Mr Trump again claiming credit for the ceasefire.",
    "Officials briefed on the meeting say, however, that much of the conversation was about business. Mr Trump raised the country's mineral deposits and oil potential, while the Pakistani side pitched a settlement of the reciprocal tariff and American investment in mining, energy and digital assets.",
    "Within weeks the two governments announced a trade agreement lowering the US tariff on Pakistani goods and pledging cooperation on oil reserves.",
], ["trade-tariffs", "mining-minerals", "energy", "investment"], "tariffs",
  "opens as a security/diplomacy story; the economic substance (tariffs, minerals, oil) comes later")

R("r027", "Consulate marks Independence Day with music, fireworks and a cold-chain deal", [
    "The US consulate in Lahore hosted its annual Independence Day reception on Thursday, with a brass band, a qawwali performance and speeches on people-to-people ties. Guests included politicians, artists and alumni of American exchange programmes.",
    "In his remarks, the consul general used the occasion to announce that an American agribusiness company will invest $25 million in refrigerated warehouses in Punjab to help growers cut post-harvest losses. The facilities will also handle mangoes and kinnows for export, including to the United States.",
    "The company will partner with a Lahore logistics firm, and construction is expected to start in the spring.",
], ["investment", "agriculture"], "agri-investment",
  "cultural event piece whose second half announces a US agribusiness investment")

R("r028", "DFC backs $50m loan to Pakistani lender for small businesses", [
    "The US International Development Finance Corporation has approved a $50 million loan to a Pakistani microfinance bank to expand credit to small businesses, particularly those owned by women, the US embassy in Islamabad said.",
    "The financing, which comes with a partial guarantee, is expected to reach more than 20,000 borrowers in Punjab and Sindh. The DFC said the country remained one of its priority markets in South Asia and that it was reviewing proposals in renewable energy and agriculture.",
], ["finance-imf", "investment"], "dfc",
  "US development finance institution lending in Pakistan")

R("r029", "Mango exporters target American shelves after irradiation clearance", [
    "Pakistani mango exporters expect to ship record volumes to the United States this summer after American inspectors certified additional irradiation facilities in Karachi and Lahore, cutting the cost of meeting US plant-health rules.",
    "Until now most consignments had to be treated at a single facility, creating bottlenecks at the height of the season. The Pakistan Fruit and Vegetable Exporters Association said it hoped to double shipments to the US, mainly to cities with large South Asian communities, to around 2,000 tonnes.",
], ["agriculture", "trade-tariffs"], "farm-exports",
  "farm exports to the US under US plant-health rules")

R("r030", "Washington backs Islamabad at IMF board", [
    "The United States supported Pakistan's request for the latest tranche of its Extended Fund Facility when the IMF executive board met on Friday, officials in Islamabad said, putting to rest speculation that Washington might abstain.",
    "As the Fund's largest shareholder, the US holds about 16.5 per cent of the voting power. Finance ministry officials said the vote reflected improved relations and engagement with the US Treasury on reforms, and that Washington had encouraged other lenders to stay engaged.",
    "The board approval releases about $1bn.",
], ["finance-imf"], "imf-us-vote",
  "US vote/support at the IMF for Pakistan: US role in Pakistan's finance")

R("r031", "Karachi tech group buys Texas software firm", [
    "A Karachi-based technology group has acquired a Dallas software company for an undisclosed sum, giving it a sales and delivery presence in the United States as it pursues more American enterprise clients.",
    "The acquisition was approved by the State Bank under its rules for outward investment. The group said the Texas company's 60 staff would be retained and that more engineering work would be done in Pakistan over time.",
    "It is one of only a handful of outward acquisitions by Pakistani firms in the US in recent years.",
], ["investment", "it-digital"], "pk-investment-in-us",
  "Pakistani investment in the US (acquisition of a US company)")

R("r032", "Silicon Valley Pakistanis launch fund for startups back home", [
    "A group of Pakistani-American founders and executives in California has launched a $30 million venture fund to back early-stage Pakistani startups, focusing on fintech, health technology and software sold to US customers.",
    "The fund, registered in Delaware, will be run from Palo Alto and Karachi. Its partners said American limited partners were increasingly willing to back Pakistani teams selling into the US market, though currency risk and internet disruptions remained concerns.",
], ["investment", "it-digital"], "diaspora-vc",
  "US-based capital invested in Pakistani tech startups")

R("r033", "Islamabad offers to buy more US goods to narrow surplus", [
    "Islamabad has offered to increase imports of American crude oil, cotton, soybeans and machinery as it negotiates the details of its trade arrangement with the Trump administration, officials said.",
    "The US recorded a goods trade deficit of around $3bn with Pakistan last year. The Office of the US Trade Representative has pressed for lower duties on American farm goods and the removal of non-tariff barriers, including restrictions on some used machinery.",
    "A commerce ministry official said the government was ready to move \"within the limits of our IMF commitments\".",
], ["trade-tariffs", "agriculture", "energy"], "tariffs",
  "bilateral trade negotiation details; IMF mentioned only as a constraint")

R("r034", "Greer, Jam Kamal review trade ties under TIFA", [
    "US Trade Representative Jamieson Greer and Commerce Minister Jam Kamal Khan held talks in Washington under the Trade and Investment Framework Agreement, the first ministerial meeting of the forum in several years.",
    "According to a joint readout, the two sides discussed market access for American agricultural products, enforcement of intellectual property rights, digital trade and Islamabad's request for lower duties on its textiles and leather goods. They agreed to set up working groups on agriculture and on digital trade.",
], ["trade-tariffs", "agriculture", "it-digital", "textiles"], "tifa",
  "USTR–Commerce Minister trade talks")

R("r035", "Sialkot's instrument makers count on American surgeons", [
    "Surgical instrument manufacturers in Sialkot say orders from the United States, their biggest market, have held up despite the reciprocal tariff, because American distributors have few alternative suppliers of hand-forged instruments.",
    "Exporters said they had absorbed part of the 19pc duty and passed the rest on to buyers. \"Hospitals over there still need our scissors and forceps,\" said the chairman of the Surgical Instruments Manufacturers Association. He urged the government to seek a zero-duty line for medical devices in its next round of talks with Washington.",
], ["trade-tariffs"], "sialkot-exports",
  "Pakistani exporters and the US tariff; single sector; no 'Pakistan–US' phrasing")

R("r036", "Crypto council signs letter of intent with Trump-linked US firm", [
    "The Pakistan Crypto Council has signed a letter of intent with World Liberty Financial, an American decentralised-finance company linked to President Donald Trump's family, to explore stablecoins, blockchain-based remittances and the tokenisation of assets.",
    "Finance Minister Muhammad Aurangzeb, who chairs the council, said the agreement would help position the country as a hub for digital finance. Critics questioned the absence of a regulatory framework and the political ties of the US company.",
], ["it-digital", "investment"], "crypto",
  "business agreement between a Pakistani body and a US digital-finance firm")

R("r037", "First cargo of US crude arrives at Karachi refinery", [
    "A tanker carrying about one million barrels of West Texas Intermediate crude berthed at Karachi this week, the first shipment of American oil to Pakistan, according to Cnergyico, the refiner that bought the cargo.",
    "The company said the purchase was a trial and that further cargoes would depend on freight costs. Officials said imports of US crude fit the government's pledge to buy more American energy under the trade arrangement agreed with Washington.",
], ["energy", "trade-tariffs"], "us-crude",
  "energy trade: first US crude import")

R("r038", "Denim exports to US climb in first quarter", [
    "Pakistani denim exports to the United States rose about 12 per cent in the July–September quarter, according to figures compiled by the All Pakistan Textile Mills Association, as American brands moved part of their sourcing away from China.",
    "Mills in Karachi and Lahore said orders from US jeanswear brands were booked into the spring. APTMA warned that gas prices for captive power remained a threat to the industry's competitiveness in the American market.",
], ["textiles"], "textiles-exports",
  "single-sector: textile exports to the US")

R("r039", "Home-textile mill adds capacity for US retailer", [
    "A Karachi home-textile manufacturer said it would invest Rs12 billion in new weaving and stitching capacity to supply a large American discount retailer, which has signed a three-year sourcing agreement for bed linen and towels.",
    "The company said the expansion would create 2,500 jobs and lift its annual sales to the US above $200 million. The retailer has been moving orders away from China in response to Washington's higher tariffs on Chinese goods.",
], ["textiles"], "textiles-exports",
  "Pakistani textile exporter's supply deal with a US retailer")

R("r040", "Eid lifts US remittances to monthly record", [
    "Remittances from the United States jumped to $412 million in March, the highest monthly figure on record, as Pakistani-Americans sent money home ahead of Eidul Fitr, State Bank data released on Wednesday showed.",
    "Bankers said digital transfer apps now account for a growing share of the flows from America, and that the spread between formal and informal exchange rates had all but disappeared.",
], ["remittances"], "remittances",
  "short brief on remittances from the US")

R("r041", "Governor cites US diaspora in reserves outlook", [
    "State Bank Governor Jameel Ahmad said on Monday that inflows from Pakistanis in the United States, as remittances and through Roshan Digital Accounts, had become a steady support for the country's foreign exchange reserves.",
    "Speaking to bankers in Karachi, Mr Ahmad said RDA deposits from the US exceeded those from any other country. He said the central bank was working with money transfer operators in America to bring down the cost of small transfers.",
], ["remittances", "finance-imf"], "remittances",
  "SBP on financial inflows from the US diaspora")

R("r042", "Trump's oil claim sends explorers to the maps", [
    "President Donald Trump's statement that the US would help Pakistan develop its massive oil reserves has prompted a flurry of interest among exploration companies, officials at the Petroleum Division say, even as geologists caution that proven reserves remain modest.",
    "The trade arrangement with Washington includes a clause on energy cooperation. Officials said at least two American firms had requested data packages for onshore blocks in Balochistan and for offshore acreage, and that a US delegation was expected in Islamabad next month.",
], ["energy", "investment"], "oil-reserves",
  "US firms' interest in Pakistani oil exploration under the trade deal")

R("r043", "SIFC hosts American investors for minerals, farming briefing", [
    "The Special Investment Facilitation Council hosted a delegation of American investors in Islamabad on Tuesday for briefings on mining, corporate farming and food processing projects.",
    "Officials presented a pipeline that includes copper exploration in Chagai and large-scale farming in Cholistan. Members of the delegation, drawn from US private equity and agribusiness, asked about land titles, water rights and the repatriation of profits.",
], ["investment", "mining-minerals", "agriculture"], "sifc-us-delegation",
  "US investors pitched Pakistani projects by SIFC")

R("r044", "US remains top export market as shipments rise 9pc", [
    "Goods exports to the United States rose 9 per cent to about $5.8 billion last fiscal year, keeping the US as the single largest destination for Pakistani products, according to commerce ministry data.",
    "Knitwear, bedwear and denim accounted for nearly three-quarters of the total. Imports from the US, led by cotton, soybeans and scrap metal, also rose, leaving a bilateral surplus of about $3.5bn in Islamabad's favour.",
], ["trade-tariffs", "textiles", "agriculture"], "trade-data",
  "bilateral trade statistics")

R("r045", "Interview: 'American companies here are reinvesting, not leaving'", [
    "The head of AmCham Pakistan says the roughly 80 US companies in the country have quietly reinvested profits through the recent economic turbulence, and that the improved tone between Islamabad and Washington could bring in new entrants.",
    "\"Our members have been here for decades: soft drinks, oil, consumer goods, and now tech,\" she said in an interview. \"What we need is predictability on taxes and the ability to send dividends home on time.\"",
    "She said several American IT and payments firms had approached the chamber about entering the market since the trade forum in Washington.",
], ["investment", "it-digital"], "amcham",
  "interview on US corporate investment in Pakistan")

R("r046", "Bessent, Aurangzeb discuss reforms and US investment", [
    "US Treasury Secretary Scott Bessent met Finance Minister Muhammad Aurangzeb in Washington on Wednesday to discuss Pakistan's economic reform programme and ways to increase American private investment, according to the finance ministry.",
    "Mr Aurangzeb briefed Mr Bessent on tax reform, the energy sector and the IMF programme, and invited US companies to take part in the privatisation of state-owned enterprises. A brief Treasury readout said the two had discussed economic stability and commercial opportunities.",
], ["finance-imf", "investment"], "us-treasury",
  "US Treasury Secretary–FinMin meeting on reforms and US investment")

R("r047", "US delegation attends Islamabad minerals forum", [
    "A US State Department delegation attended the Pakistan Minerals Investment Forum in Islamabad, where officials signalled American interest in copper, lithium and rare earths as part of Washington's drive to secure critical mineral supply chains.",
    "Prime Minister Shehbaz Sharif told the forum that the country's mineral wealth was worth trillions of dollars and invited American companies to invest under new federal and provincial frameworks. The US officials met Barrick executives and Pakistani ministers on the sidelines.",
], ["mining-minerals", "investment"], "critical-minerals",
  "US government interest in Pakistani minerals investment")

R("r048", "Basmati exporters eye US after tariff settlement", [
    "Rice exporters are stepping up marketing in the United States, where they say the 19pc reciprocal tariff leaves Pakistani basmati competitive against Indian shipments that face a far heavier duty.",
    "The Rice Exporters Association of Pakistan said shipments to the US had risen to about 60,000 tonnes last year and could double if exporters met American pesticide residue limits consistently. The association plans a pavilion at a food trade show in Chicago next spring.",
], ["agriculture", "trade-tariffs"], "farm-exports",
  "Pakistani rice exports to the US; India only as comparison")

R("r049", "Freelancers' earnings from American clients jump", [
    "Pakistani freelancers earned an estimated $550 million from clients in the United States last year, according to a report by a digital payments company, as designers, developers and virtual assistants found work with small American businesses.",
    "The report said payment delays and internet shutdowns were the biggest obstacles, and that many freelancers still bring their earnings home through informal channels. PSEB said it had registered more than 60,000 freelancers so far.",
], ["it-digital"], "it-exports",
  "IT services sold to US clients by freelancers")

R("r050", "US-Pakistan Business Council presses for investment treaty", [
    "The US-Pakistan Business Council, part of the US Chamber of Commerce, has urged both governments to revive talks on a bilateral investment treaty, saying American companies want stronger protections before committing large sums to Pakistan.",
    "In a letter to officials in Washington and Islamabad, the council said the tariff arrangement had improved sentiment but that disputes over tax refunds, contract enforcement and dividend repatriation continued to deter investors.",
], ["investment", "trade-tariffs"], "business-council",
  "US business lobby on investment protections in Pakistan")

# ---------------------------------------------------------------- near misses

N("n001", "India scrambles after US doubles tariff to 50pc", [
    "Indian exporters of garments, gems and shrimp warned of job losses after Washington's additional 25 per cent penalty tariff took effect, raising the total duty on many Indian goods entering the United States to 50 per cent.",
    "New Delhi said the move, linked to its purchases of Russian oil, was unfair and unjustified, and that it would protect national interests. Commerce Minister Piyush Goyal said talks on a bilateral trade agreement with the USTR would continue.",
    "Textile groups in Tiruppur said American buyers were already asking for discounts, and some were shifting orders to Vietnam and Bangladesh. One exporter said Pakistani rivals would also try to pick up business.",
], "india-us-trade", "India–US tariffs; Pakistan's exporters mentioned once as competitors")

N("n002", "India, US negotiators close in on first tranche of trade deal", [
    "Negotiators from India and the United States ended a week of talks in New Delhi saying they had made progress on the first tranche of a bilateral trade agreement covering industrial tariffs, farm access and digital trade.",
    "American officials have pressed India to open its market to US dairy, corn and soybeans, which New Delhi considers politically sensitive. Indian officials want relief from the additional tariffs and better access for labour-intensive goods such as textiles and leather.",
    "Analysts in Mumbai said a deal would restore India's edge over regional competitors such as Bangladesh, Vietnam and Pakistan in the American apparel market.",
], "india-us-trade", "India–US trade deal; Pakistan only in a list of competitors")

N("n003", "CPEC second phase to focus on SEZs, agriculture", [
    "Pakistan and China agreed to accelerate the second phase of the China-Pakistan Economic Corridor, with priority for special economic zones, agriculture, mining and the ML-1 railway upgrade, after a meeting of the Joint Cooperation Committee in Beijing.",
    "Planning Minister Ahsan Iqbal said Chinese investors had been assured of better security for their personnel after attacks in Balochistan and Karachi. He said warmer ties with the US would not come at the corridor's expense, dismissing Washington's concerns about debt sustainability as outdated.",
    "The two sides also signed agreements on operations at Gwadar's new airport and on a desalination plant.",
], "cpec", "China–Pakistan investment; Washington's concerns mentioned once")

N("n004", "Gwadar port traffic remains thin despite incentives", [
    "Gwadar port handled fewer than 30 commercial vessels in the first half of the year, port officials said, despite tax incentives and a government order that some public-sector imports move through the Chinese-operated facility.",
    "China Overseas Port Holding Company said it was marketing Gwadar to Afghan and Central Asian traders. Business groups in Balochistan said insecurity, poor road links and shortages of water and power kept shipping lines away.",
], "cpec", "Gwadar/CPEC; no US party")

N("n005", "Pakistan, US hold counter-terrorism dialogue in Islamabad", [
    "Pakistan and the United States held a round of their counter-terrorism dialogue in Islamabad on Tuesday, discussing threats posed by Islamic State-Khorasan, the Tehreek-i-Taliban Pakistan and the Balochistan Liberation Army.",
    "According to a joint statement, the two delegations reviewed cooperation against terrorist financing, on border security and on countering militants' use of the internet. The US side commended Pakistan's role in apprehending militants responsible for attacks on American personnel.",
    "The delegations agreed to hold the next round in Washington. The statement added that both sides looked forward to exploring trade and other avenues of cooperation.",
], "ct-dialogue", "security dialogue; trade only in a closing sentence in passing")

N("n006", "CENTCOM chief calls on army chief at GHQ", [
    "The commander of US Central Command called on Field Marshal Asim Munir at General Headquarters in Rawalpindi on Wednesday, where the two discussed regional security, the situation in Afghanistan and military-to-military cooperation, the ISPR said.",
    "The visiting general praised the army's counter-terrorism operations and its role in regional stability. Both sides agreed to expand training exchanges and joint exercises, and to keep up regular contact between their staffs.",
], "military-talks", "US–Pakistan military talks; no economics")

N("n007", "Fed cuts rates by a quarter point; emerging markets rally", [
    "The US Federal Reserve lowered its benchmark interest rate by 25 basis points on Wednesday, citing a softening labour market, and signalled that further cuts were possible if inflation kept easing.",
    "Chair Jerome Powell said the committee remained attentive to the effect of tariffs on prices. The dollar weakened against major currencies and Treasury yields fell.",
    "Emerging-market assets rallied, with stocks and bonds rising in markets from Brazil and South Africa to Indonesia, Egypt and Pakistan, as investors bet on easier global financing conditions.",
], "us-fed", "US monetary policy; Pakistan only in a list of emerging markets")

N("n008", "Strong dollar squeezes frontier currencies", [
    "The US dollar's rally to a six-month high, driven by strong American jobs figures and expectations that the Federal Reserve will hold rates, is putting pressure on frontier and emerging-market currencies, analysts said.",
    "The Turkish lira, Egyptian pound, Nigerian naira and Pakistani rupee have all lost ground in recent weeks. Economists said countries with large dollar debts would face higher refinancing costs if US rates stay elevated into next year.",
], "us-fed", "global dollar/Fed story; Pakistani rupee only in a list")

N("n009", "IMF reaches staff-level agreement with Pakistan on second review", [
    "The International Monetary Fund said on Wednesday that its staff had reached agreement with Pakistani authorities on the second review of the $7 billion Extended Fund Facility, giving Pakistan access to about $1 billion once the Fund's executive board approves it.",
    "In a statement issued in Washington, the mission chief said the authorities had made progress in rebuilding reserves and containing inflation, but urged the government to broaden the tax base, reform the power sector and shrink the state's footprint in the economy.",
    "The agreement also covers about $200m under the Resilience and Sustainability Facility.",
], "pk-budget-imf", "IMF–Pakistan only; 'Washington' is just the dateline, no US party")

N("n010", "Budget FY27: Rs18tr outlay, relief for salaried class", [
    "Finance Minister Muhammad Aurangzeb presented an Rs18 trillion budget for the next fiscal year on Tuesday, promising modest relief for salaried taxpayers while raising levies on retailers and real estate.",
    "The government targets a primary surplus of 2.4pc of GDP, in line with its IMF programme. Defence spending rises 12 per cent. Mr Aurangzeb said the exchange rate had stabilised near Rs280 to the dollar and that exports were expected to reach $35 billion.",
    "Exporters criticised a proposal to move them into the normal tax regime, saying it would hurt their competitiveness abroad.",
], "pk-budget-imf", "domestic budget with 'dollar' and 'exports'; no US party")

N("n011", "SBP keeps policy rate at 11pc", [
    "The State Bank of Pakistan left its policy rate unchanged at 11 per cent on Monday, saying inflation was likely to rise temporarily because of higher energy prices and flood-related disruption to food supplies.",
    "Governor Jameel Ahmad told reporters that the current account remained in surplus and reserves had risen above $14 billion. The monetary policy committee noted uncertainty in the global economy, including from US tariff policy and oil prices.",
], "pk-budget-imf", "domestic monetary policy; US tariffs only as a passing global risk")

N("n012", "Saudi Arabia pledges $5bn investment in Pakistan", [
    "Saudi Arabia has agreed to invest up to $5 billion in Pakistan's mining, refining and agriculture sectors after talks between Prime Minister Shehbaz Sharif and Crown Prince Mohammed bin Salman in Riyadh.",
    "The Special Investment Facilitation Council said Saudi firms were interested in a stake in Reko Diq, a refinery at Gwadar and corporate farming. The kingdom also agreed to roll over its $3 billion deposit with the State Bank.",
], "pk-saudi-investment", "Pakistan–Saudi investment (Reko Diq, SIFC) with no US party")

N("n013", "UAE rolls over $2bn deposit, eyes Karachi port terminals", [
    "The United Arab Emirates has rolled over $2 billion in deposits held with the State Bank of Pakistan for another year, the finance ministry said, easing pressure on the country's external financing needs.",
    "Officials said Abu Dhabi was also negotiating to take over operations at more terminals at Karachi port and to invest in power distribution companies ahead of their privatisation.",
], "pk-gulf-investment", "Pakistan–UAE finance and investment; no US party")

N("n014", "USA stun Pakistan in Super Over thriller", [
    "The United States beat Pakistan in a Super Over at the T20 World Cup in Dallas, one of the biggest upsets in the tournament's history, after both sides finished on 159 in regulation play.",
    "Saurabh Netravalkar conceded only 13 in the Super Over as Pakistan's batsmen struggled. Former captains called for an overhaul of Pakistan cricket, while American officials hailed the result as proof that investment in the sport was paying off.",
    "The USA squad, largely made up of players with South Asian roots, now has a strong chance of reaching the next round.",
], "cricket", "Pakistan v USA cricket; 'investment in the sport' is not economic relations")

N("n015", "Pakistani players sign up for Major League Cricket", [
    "Several Pakistani cricketers have signed contracts with franchises in Major League Cricket, the American T20 league backed by US and Indian-American investors, for its coming season in Texas and California.",
    "The Pakistan Cricket Board issued no-objection certificates to the players, who will miss part of the domestic season. League officials said the investors planned new stadiums as part of a $100 million push to grow cricket in the United States.",
], "cricket", "sport: players' contracts and a US league's investors, not bilateral economics")

N("n016", "Number of Pakistani students at US universities rises", [
    "The number of Pakistani students enrolled at American universities rose 10 per cent last academic year to over 11,000, according to the Open Doors report, with most pursuing graduate degrees in engineering, computer science and business.",
    "The US embassy in Islamabad said Pakistan's Fulbright programme, one of the largest in the world, continued to send scholars to American campuses. Education consultants in Lahore said concerns about visa processing times and the cost of living were growing.",
], "students-us", "education exchange; no economic relations")

N("n017", "Long waits for US student visa appointments", [
    "Pakistani students admitted to American universities say they are struggling to secure visa interviews at the US embassy in Islamabad and the consulate in Karachi, with some waiting months ahead of the autumn semester.",
    "The embassy said it had added appointment slots and that applicants must now make their social media profiles public as part of enhanced vetting. Students said the uncertainty had forced some to defer admission by a year.",
], "students-us", "student visas; not economic")

N("n018", "US and China extend tariff truce by 90 days", [
    "Washington and Beijing agreed to extend their tariff truce by another 90 days, averting a return to triple-digit duties on each other's goods, after talks led by Treasury Secretary Scott Bessent and Chinese Vice Premier He Lifeng.",
    "The US will keep a 30 per cent tariff on most Chinese imports while China maintains 10 per cent on American goods. The two sides also discussed export controls on rare earth magnets and advanced chips, and Chinese purchases of US soybeans.",
], "us-china-tariffs", "US–China trade war; trigger words (tariffs, rare earths, soybeans, Bessent) but no Pakistan")

N("n019", "Afghan transit cargo piles up at Karachi and Torkham", [
    "Hundreds of containers carrying Afghan transit trade goods are stuck at Karachi port and the Torkham border after new documentation requirements and a temporary closure of the crossing, customs officials said.",
    "Traders in Peshawar said the backlog was costing them millions of rupees in demurrage. Kabul has increasingly diverted its imports through Iran's Bandar Abbas and Chabahar ports and Central Asian routes.",
], "afghan-transit", "Afghanistan transit trade; no US party")

N("n020", "US announces flood relief assistance for Pakistan", [
    "The United States announced $3 million in humanitarian assistance for communities hit by monsoon floods in Khyber Pakhtunkhwa and Punjab, the US embassy in Islamabad said.",
    "The funding will provide emergency shelter, clean water and hygiene kits through humanitarian partners. The chargé d'affaires expressed condolences for the loss of life and said America stood with the people of Pakistan.",
    "More than 800 people have been killed since late June, according to the National Disaster Management Authority.",
], "flood-aid", "humanitarian aid, not an economic partnership")

N("n021", "US economy adds fewer jobs than expected", [
    "American employers added 73,000 jobs last month, well below economists' forecasts, and revisions cut the figures for previous months sharply, the Labor Department said on Friday.",
    "The unemployment rate rose to 4.2 per cent. President Donald Trump responded by dismissing the commissioner of the Bureau of Labor Statistics, accusing the agency of manipulating data. Markets raised their bets on a Federal Reserve rate cut.",
], "us-economy", "US domestic economy; no Pakistan")

N("n022", "Chinese firm's Saindak copper lease extended", [
    "The Balochistan government has extended a Chinese state-owned company's lease to operate the Saindak copper-gold mine in Chagai for another 15 years, in exchange for a higher share of profits for the province.",
    "Metallurgical Corporation of China has run Saindak since 2002. Provincial officials said the new terms included local hiring targets and a community development fund. Analysts noted that Western firms, including American ones, have shown interest in the province's minerals, but said China remained the dominant player.",
], "pk-china-minerals", "China–Pakistan mining; American firms mentioned only in passing")

N("n023", "Truck art exhibition opens in Washington", [
    "An exhibition of Pakistani truck art opened at a gallery in Washington on Saturday, featuring painted panels, a decorated rickshaw and live painting by artists from Karachi.",
    "Ambassador Rizwan Saeed Sheikh said the show celebrated the country's folk traditions and was a bridge between the people of Pakistan and the United States. The exhibition runs until the end of the month, with workshops for children at weekends.",
], "culture", "culture in the US; envoy and both countries named but no economics")

N("n024", "US lawmakers' letter on Imran Khan draws Foreign Office rebuke", [
    "The Foreign Office has rejected a letter by a group of US congressmen calling for the release of former prime minister Imran Khan, describing it as interference in Pakistan's internal affairs.",
    "The letter, addressed to Secretary of State Marco Rubio, urged the administration to press Islamabad on human rights and the rule of law. Pakistani-American groups aligned with the PTI lobbied for the letter, while government supporters in the diaspora organised a counter-campaign.",
], "pk-us-politics", "politics/human rights between the two countries; not economic")

N("n025", "India, US sign ten-year defence framework", [
    "India and the United States signed a ten-year framework for defence cooperation, covering co-production of military equipment, information sharing and technology transfer, during a meeting between Defence Minister Rajnath Singh and US Defence Secretary Pete Hegseth.",
    "Officials said the framework would deepen cooperation on jet engines, drones and semiconductors. Analysts in Islamabad said the agreement would be watched closely in Pakistan, which has been improving its own ties with Washington.",
], "india-us-defence", "India–US defence; Pakistan only as an observer")

N("n026", "Bangladesh garment makers relieved as US sets 20pc tariff", [
    "Bangladesh's garment exporters welcomed Washington's decision to set the reciprocal tariff on Bangladeshi goods at 20 per cent, down from the 35pc threatened earlier, saying it keeps the country in the race for American orders.",
    "The Bangladesh Garment Manufacturers and Exporters Association said the rate was comparable with Vietnam's and slightly above Pakistan's 19pc, but well below the duty on India. Dhaka has agreed to buy Boeing aircraft and US wheat and cotton as part of the arrangement.",
], "bangladesh-us-tariffs", "Bangladesh–US tariffs; Pakistan's rate cited once for comparison")

N("n027", "IMF mission presses for more revenue measures", [
    "The visiting IMF mission has asked the authorities to identify additional revenue measures worth Rs200 billion after the Federal Board of Revenue fell short of its collection target for the first quarter.",
    "Finance ministry officials said they had proposed measures including higher taxes on sugary drinks and an increase in the petroleum levy. The mission is also reviewing progress on power sector reform and the privatisation of state-owned enterprises.",
], "pk-budget-imf", "Pakistan–IMF talks with no US party")

N("n028", "US retailer warns tariffs will lift back-to-school prices", [
    "A major American discount retailer warned that tariffs on imported goods would push up the prices of clothing and school supplies this autumn, as it reported quarterly sales that beat expectations.",
    "The company's chief executive said it sourced apparel from a wide range of countries, from Cambodia and Vietnam to Mexico and Pakistan, and had tried to absorb part of the cost. Its shares fell 3 per cent in New York trading.",
], "us-economy", "US corporate/consumer story; Pakistan only in a list of sourcing countries")

N("n029", "Pakistan asks Qatar to defer LNG cargoes as demand slumps", [
    "Pakistan has asked Qatar to divert or defer several LNG cargoes due next year because of weak gas demand from power plants and the rapid spread of rooftop solar, officials said.",
    "Pakistan LNG Limited said it had surplus gas in its system, forcing utilities to curtail supply from local fields. Under its long-term contracts with QatarEnergy, the country is obliged to take a set number of cargoes each year.",
], "pk-gulf-energy", "LNG story with Qatar; no US party")

N("n030", "Circular debt falls after bank refinancing deal", [
    "The power sector's circular debt fell below Rs1.7 trillion after the government arranged a Rs1.2tr refinancing deal with commercial banks, the energy ministry said.",
    "Officials said dollar-indexed capacity payments owed to independent power producers remained the biggest driver of the debt. Renegotiated contracts with several IPPs, including Chinese-financed coal plants, would save consumers about Rs3 trillion over the remaining life of the contracts.",
], "pk-power-sector", "domestic energy finance; no US party")

N("n031", "Uzbekistan, Afghanistan, Pakistan sign railway framework", [
    "Uzbekistan, Afghanistan and Pakistan signed a framework agreement in Kabul for a feasibility study of a railway linking Termez to Peshawar through Afghan territory, which officials said would cut transit times for Central Asian cargo to Karachi and Gwadar.",
    "The project is estimated to cost around $5 billion. Officials said financing would be sought from multilateral lenders, and that Afghan transit trade would be among the first beneficiaries.",
], "afghan-transit", "regional transit trade; no US party")

N("n032", "Pakistan seeks climate finance as US steps back", [
    "Pakistan's climate minister told a UN climate conference that developed countries must deliver on their promises of climate finance, noting that the 2022 floods caused more than $30 billion in damage and losses.",
    "Delegates said the withdrawal of the United States from the Paris Agreement had left a gap in pledges to the loss and damage fund. Pakistan is seeking support for adaptation projects in the Indus basin.",
], "climate", "climate diplomacy; the US mention is about global climate policy")

N("n033", "US designates BLA as foreign terrorist organisation", [
    "The US State Department has designated the Balochistan Liberation Army and its Majeed Brigade as a foreign terrorist organisation, a move welcomed by Islamabad.",
    "The Foreign Office said the decision reflected close counter-terrorism cooperation between Pakistan and the United States. The BLA has claimed a series of attacks on security forces, Chinese nationals and infrastructure in Balochistan, including the hijacking of the Jaffar Express in March.",
], "ct-dialogue", "counter-terrorism designation; not economic")

N("n034", "Pentagon clears F-16 sustainment package for Pakistan", [
    "The US Defense Security Cooperation Agency has notified Congress of a possible sale of F-16 sustainment services and spare parts to Pakistan worth about $450 million, saying it would support the country's counter-terrorism capability.",
    "The package covers maintenance, software upgrades and training, but no new aircraft or munitions. India's foreign ministry said it had conveyed its concerns to Washington about the package.",
], "military-talks", "military sale; defence rather than economic relations")

N("n035", "H-1B fee hike rattles Indian IT majors", [
    "Shares of India's largest IT services companies fell after the US administration announced a $100,000 fee on new H-1B visa petitions, a move that could raise costs for firms that send engineers to work at American clients' sites.",
    "Industry body Nasscom said the companies had already cut their dependence on the visas by hiring locally in the US. Analysts said some work could move offshore to India and, to a lesser extent, to other centres such as the Philippines, Eastern Europe and Pakistan.",
], "india-us-it", "India–US IT and visas; Pakistan only in a list")

N("n036", "Bessent says Treasury will not raise long-bond sales", [
    "US Treasury Secretary Scott Bessent said the department had no plans to increase sales of long-dated bonds in the coming quarters, helping to push 30-year yields lower.",
    "Mr Bessent said tariff revenue and spending restraint would help reduce the deficit, and reiterated the administration's support for a strong dollar. Bond market analysts said demand from foreign central banks remained steady.",
], "us-economy", "US domestic finance; no Pakistan")

N("n037", "KSE-100 crosses 150,000 on rate cut hopes", [
    "The benchmark KSE-100 index of the Pakistan Stock Exchange crossed 150,000 points for the first time on Thursday, led by banks, fertiliser and cement stocks, as investors bet on further cuts in the policy rate.",
    "Brokers said local mutual funds and individual investors were the main buyers. Sentiment was also helped by an overnight rally on Wall Street and a stable rupee-dollar rate.",
], "psx", "domestic stock market; Wall Street only as market colour")

N("n038", "Pakistani researcher at Stanford wins young scientist award", [
    "A Pakistani PhD researcher at Stanford University has won an international young scientist award for her work on low-cost water purification using nanomaterials.",
    "The researcher, who grew up in Multan and went to the United States on a Fulbright scholarship, said she hoped to return home to set up a laboratory. The Higher Education Commission congratulated her and said her work could help communities affected by arsenic in groundwater.",
], "students-us", "education/achievement; not economic")

N("n039", "PSL adds two franchises in auction", [
    "The Pakistan Super League added two franchises in an auction in Lahore, with a Karachi-based consortium and a group of overseas investors paying a combined Rs3.5 billion for ten-year rights.",
    "PCB chairman Mohsin Naqvi said the expansion reflected rising commercial interest in the league, whose broadcast deals now cover the UK, the Middle East and the USA. The league will run with eight teams next season.",
], "cricket", "domestic sports business; USA only as a broadcast market")

N("n040", "Pakistan, Saudi Arabia sign mutual defence pact", [
    "Pakistan and Saudi Arabia signed a strategic mutual defence agreement in Riyadh, committing each to treat aggression against either as aggression against both, the Prime Minister's Office said.",
    "The signing, attended by Field Marshal Asim Munir, came days after an Israeli strike in Qatar unsettled Gulf states. Analysts said the pact formalised decades of military cooperation and noted that Washington had been kept informed.",
], "pk-saudi", "Pakistan–Saudi security pact; Washington mentioned in passing")

N("n041", "Trump again claims credit for India–Pakistan ceasefire", [
    "President Donald Trump said on Tuesday that he had stopped a war between India and Pakistan in May by telling both countries' leaders he would not talk trade with them while they were fighting, repeating a claim that New Delhi rejects.",
    "Pakistan has credited American mediation and nominated Mr Trump for the Nobel Peace Prize, while India insists the ceasefire was agreed directly between military commanders. The four-day conflict followed a militant attack in Pahalgam in Indian-administered Kashmir.",
], "india-pak-conflict", "ceasefire diplomacy; 'trade' only as rhetoric, subject is the conflict")

N("n042", "Pakistan prices debut panda bond", [
    "Pakistan has raised the equivalent of $250 million through its first panda bond, a yuan-denominated issue sold to investors in China's domestic market and partly guaranteed by the Asian Development Bank.",
    "Finance ministry officials said the issue was meant to diversify funding sources and build a yield curve in the Chinese market. The country also relies on Chinese banks to roll over commercial loans worth several billion dollars each year.",
], "pk-china-finance", "Pakistan–China financing; no US party")

N("n043", "World Bank approves $20bn ten-year framework for Pakistan", [
    "The World Bank's board in Washington approved a country partnership framework under which it plans to lend up to $20 billion to Pakistan over ten years, focusing on child stunting, learning poverty, clean energy and climate resilience.",
    "The bank's country director said the framework aimed to provide predictable financing regardless of political cycles. Officials said private-sector lending by the International Finance Corporation could add another $20 billion.",
], "world-bank", "multilateral lending; Washington is the bank's seat, no US government party")

N("n044", "US doubles steel and aluminium tariffs to 50pc", [
    "President Donald Trump raised tariffs on imported steel and aluminium to 50 per cent, saying the move would protect American mills and workers. The increase applies to most trading partners, with the UK given a temporary exemption.",
    "Canada, the largest supplier of both metals to the US, said it would respond. American manufacturers that use steel, including carmakers and appliance makers, warned of higher costs.",
], "us-tariffs-domestic", "US tariff policy with no Pakistan angle")

N("n045", "Deportation flight brings back Pakistanis from US", [
    "A chartered flight carrying several dozen Pakistani nationals deported from the United States landed in Islamabad on Monday, the Federal Investigation Agency said, as Washington steps up removals of undocumented migrants.",
    "FIA officials interviewed the returnees, some of whom had travelled through Latin America to reach the US border. Officials said cases would be registered against the human smuggling networks involved.",
], "immigration", "immigration enforcement; not economic")

N("n046", "Trump thanks Pakistan for arrest of Kabul airport bombing suspect", [
    "President Donald Trump thanked Pakistan for helping arrest an Islamic State-Khorasan commander accused of planning the 2021 bombing at Kabul airport that killed 13 US service members, in his address to a joint session of Congress.",
    "The suspect was handed over to American authorities and appeared in a federal court in Virginia. Prime Minister Shehbaz Sharif said Islamabad would continue to work with Washington against terrorism.",
], "ct-dialogue", "counter-terrorism cooperation; no economics")

N("n047", "Cotton arrivals down 20pc as heat and pests hit crop", [
    "Cotton arrivals at ginning factories fell 20 per cent year on year by mid-November, the Pakistan Cotton Ginners Association said, as heatwaves, whitefly attacks and lower sowing in Punjab cut output.",
    "Spinning mills said they would have to import more fibre, mainly from Brazil and West Africa, adding to the import bill. Farmers' groups urged the government to announce a support price to revive cultivation.",
], "pk-cotton-domestic", "domestic cotton crop; imports from other origins, no US")

N("n048", "Pakistani software firms sign $700m of deals at GITEX", [
    "Pakistani IT companies signed agreements worth about $700 million with clients and partners from Saudi Arabia, the UAE and Qatar at the GITEX technology show in Dubai, the Pakistan Software Export Board said.",
    "IT Minister Shaza Fatima Khawaja said the Gulf had become a priority market for tech exports alongside traditional markets in North America and Europe. The deals cover cloud services, cybersecurity and government digitisation projects.",
], "pk-gulf-it", "IT exports to the Gulf; North America only mentioned in passing")


def main():
    out = os.path.join(HERE, "labelled.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(ITEMS, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(ITEMS)} items to {out}")


if __name__ == "__main__":
    main()
