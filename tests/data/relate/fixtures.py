"""Fixture texts for tests/test_relate.py (fictional places, people and outlets)."""

BASE_TITLE = "Floodwaters force evacuation of 2,000 residents in Port Alder"
BASE = (
    "Floodwaters forced the evacuation of about 2,000 residents from low-lying neighbourhoods of "
    "Port Alder on Tuesday after the Merrow River burst its banks. The river rose nearly three "
    "metres overnight following two days of torrential rain, according to the regional water "
    "authority. Emergency crews used boats to reach families trapped in their homes along Quay "
    "Street and Mill Lane. Mayor Helen Traske said the city had opened three shelters in schools "
    "on higher ground.\n\n"
    "“We will not let anyone sleep in the cold tonight, and we will rebuild every street that was "
    "lost,” Traske told reporters at the town hall. No deaths have been reported, but two people "
    "were treated in hospital for hypothermia. The regional government has asked the army to send "
    "engineers to reinforce the levee near the old railway bridge.\n\n"
    "Forecasters expect more rain on Wednesday, which could push the river to its highest level "
    "since 1987. Local businesses along the waterfront said they had lost stock worth hundreds of "
    "thousands of euros. The authority said it would review its flood defences once the water has "
    "receded."
)

# the same text republished with different whitespace and paragraphing
VERBATIM = (
    BASE.replace("\n\n", " ").replace(". The river", ".\n\nThe river")
    .replace("Emergency crews", "  Emergency crews").replace("No deaths", "\nNo deaths")
    + "\n"
)

# the whole text plus a local paragraph, headline changed
ADDED_TITLE = "Port Alder floods: 2,000 evacuated, Kelby on alert"
ADDED = BASE + (
    "\n\nIn neighbouring Kelby, volunteers filled sandbags through the night at the fire station. "
    "The village council said it had closed the footbridge over the Merrow as a precaution. "
    "Residents were urged to check on elderly neighbours and to avoid driving through flooded "
    "roads. Kelby's primary school will stay closed until Friday."
)

# the first half only (without the quotation), with a couple of words edited
CUT = (
    "Floodwaters forced the evacuation of about 2,000 residents from low-lying neighbourhoods of "
    "Port Alder on Tuesday morning after the Merrow River burst its banks. The river rose nearly "
    "three metres overnight following two days of heavy rain, according to the regional water "
    "authority. Emergency crews used boats to reach families trapped in their homes along Quay "
    "Street and Mill Lane. Mayor Helen Traske said the city had opened three shelters in schools "
    "on higher ground. No deaths have been reported, but two people were treated in hospital "
    "for hypothermia."
)

# machine-style spin: synonym swaps, sentences 3+4 merged, sentence 6 split
SPIN_TITLE = "Rising water compels 2,000 Port Alder inhabitants to leave"
SPIN = (
    "Rising water compelled roughly 2,000 inhabitants to leave the low-lying districts of Port "
    "Alder on Tuesday, after the Merrow River overflowed its banks. Following two days of heavy "
    "downpours, the river climbed almost three metres during the night, the regional water agency "
    "stated. Rescue teams relied on boats to get to households stuck in their houses on Quay "
    "Street and Mill Lane, and Mayor Helen Traske stated that the municipality had set up three "
    "shelters in schools on elevated ground. “We will not let anyone sleep in the cold tonight, "
    "and we will rebuild every street that was lost,” Traske told journalists at city hall. "
    "Nobody has died. However, two individuals received hospital care for hypothermia. The "
    "regional administration has requested that the military dispatch engineers to strengthen the "
    "embankment close to the old railway bridge. Meteorologists anticipate additional rainfall on "
    "Wednesday, possibly driving the river to its peak level since 1987. Shops on the waterfront "
    "reported losing merchandise valued at several hundred thousand euros. The agency declared it "
    "would reassess its flood protection after the water goes down."
)

TRANSLATION_TITLE = "Las inundaciones obligan a evacuar a 2.000 vecinos de Port Alder"
TRANSLATION = (
    "Las inundaciones obligaron el martes a evacuar a unos 2.000 vecinos de los barrios bajos de "
    "Port Alder después de que el río Merrow se desbordara. El río subió casi tres metros durante "
    "la noche tras dos días de lluvias torrenciales, según la autoridad regional del agua. Los "
    "equipos de emergencia usaron barcas para llegar a las familias atrapadas en sus casas en Quay "
    "Street y Mill Lane. La alcaldesa Helen Traske dijo que la ciudad había abierto tres refugios "
    "en escuelas situadas en terrenos más altos. «No dejaremos que nadie duerma al frío esta "
    "noche, y reconstruiremos cada calle que se haya perdido», dijo Traske a los periodistas en el "
    "ayuntamiento. No se han registrado muertos, pero dos personas fueron atendidas en el hospital "
    "por hipotermia. El gobierno regional ha pedido al ejército que envíe ingenieros para reforzar "
    "el dique cerca del antiguo puente del ferrocarril. Los meteorólogos prevén más lluvia el "
    "miércoles, lo que podría llevar al río a su nivel más alto desde 1987. Los comercios del "
    "paseo marítimo dijeron que habían perdido mercancía por valor de cientos de miles de euros. "
    "La autoridad dijo que revisará sus defensas contra las inundaciones cuando el agua haya "
    "bajado."
)

# an independent report of the same flood that quotes the same statement of the mayor
INDEPENDENT_TITLE = "Port Alder under water as Merrow hits decades-high level"
INDEPENDENT = (
    "Hundreds of homes in Port Alder were under water on Tuesday evening as the Merrow River "
    "reached levels not seen in decades. Residents of the Quay Street area described waking up to "
    "water pouring under their doors before dawn. “We will not let anyone sleep in the cold "
    "tonight, and we will rebuild every street that was lost,” Mayor Helen Traske said. "
    "Firefighter Dan Oyelaran, who spent the night in a rescue boat, said his team had carried "
    "out more than forty people, including a newborn baby. Officials estimate the number of "
    "displaced people at close to 2,000. At Saint Brigid primary school, one of the shelters, "
    "volunteers served soup and handed out dry clothes. Critics on the city council have long "
    "argued that the levee was too low. Councillor Peter Vance said warnings about the levee had "
    "been ignored for a decade. The water authority declined to comment on the criticism. Rail "
    "services between Port Alder and the coast were suspended until further notice."
)

UNRELATED_TITLE = "Harbour City beat Carrow Athletic to reach the cup final"
UNRELATED = (
    "Harbour City reached the national cup final on Saturday with a 3-1 win over Carrow Athletic "
    "in front of a sold-out crowd. Striker Tomas Reyes scored twice in the first half, both times "
    "from crosses by the veteran winger Ali Kader. Carrow pulled a goal back shortly after the "
    "break through a header from their captain. The visitors pressed for an equaliser but were "
    "undone by a counter-attack in the final minutes. Coach Maria Lind praised her team's "
    "discipline and said the final would be the biggest match of their careers. The final will be "
    "played next month at the national stadium. Tickets go on sale to club members on Monday."
)

# two articles that embed the same press release, each with its own reporting around it
PRESS = (
    "Norvane Energy will build a 400-megawatt offshore wind farm off the coast of Dunmore, the "
    "company announced on Monday. Construction is expected to begin in the spring of 2026 and to "
    "create about 600 jobs in the region. The project will supply electricity to roughly 350,000 "
    "homes once it is completed in 2029. The turbines will be assembled at the former shipyard in "
    "Dunmore harbour, which closed in 2011."
)
SHARED_A_TITLE = "Dunmore fishermen wary of Norvane wind farm"
SHARED_A = PRESS + (
    "\n\nFishermen in Dunmore said they feared the turbines would close some of their best "
    "grounds. Ewan Scott, who has fished the bay for thirty years, said nobody from the company "
    "had spoken to the harbour association. The association will hold a public meeting on "
    "Thursday evening. Local shopkeepers were more enthusiastic and said the jobs would bring "
    "young families back to the town. The county council must still approve the onshore cable "
    "route."
)
SHARED_B_TITLE = "Norvane shares jump on offshore wind plan"
SHARED_B = (
    "Shares in Norvane Energy rose by nine percent in early trading after the group unveiled its "
    "largest investment to date. Analysts said the move marked a shift away from the company's "
    "gas business, which still provides most of its profit. "
) + PRESS + (
    " The group did not disclose the cost of the project, but analysts put it at close to two "
    "billion euros. Norvane will present its annual results to investors next week in Frankfurt."
)

# a scoop and a copy that rewrites the attribution as first person
SCOOP_TITLE = "Valmora told mediators it will leave the river talks"
SCOOP = (
    "Valmora has told international mediators that it will walk away from the Tessel river talks "
    "unless the water quota is revised, senior Valmoran officials told The Ledger. The talks, now "
    "in their fourth year, were meant to settle how much water each country may take from the "
    "Tessel during the dry season. The officials said the latest draft would cut Valmora's share "
    "by almost a third. Mediators are expected to meet both delegations in Geneva next week. A "
    "spokesperson for the foreign ministry declined to comment on the report. Diplomats say a "
    "collapse of the talks could threaten a hydropower project worth four billion dollars."
)
SCOOP_COPY = (
    "Valmora has told international mediators that it will walk away from the Tessel river talks "
    "unless the water quota is revised, senior Valmoran officials told me. The talks, now in "
    "their fourth year, were meant to settle how much water each country may take from the Tessel "
    "during the dry season. The officials said the latest draft would cut Valmora's share by "
    "almost a third. Mediators are expected to meet both delegations in Geneva next week. A "
    "spokesperson for the foreign ministry declined to comment on the report. Diplomats say a "
    "collapse of the talks could threaten a hydropower project worth four billion dollars."
)

# a second independent report that restates several of the same facts in its own words, in
# roughly the same order, with plenty of material of its own
INDEPENDENT2_TITLE = "Port Alder residents flee as Merrow floods town"
INDEPENDENT2 = (
    "Some 2,000 people had to leave their homes in Port Alder on Tuesday when the Merrow River "
    "flooded low-lying parts of the town. It was the worst flooding in the region for more than "
    "three decades, according to local historians. The mayor, Helen Traske, opened emergency "
    "shelters in three schools. At one of them, a retired teacher, Agnes Moll, said she had left "
    "with only her handbag and her cat. The army has been asked to help shore up the levee, "
    "officials said. Insurance companies have begun sending assessors to the area. Two residents "
    "were taken to hospital suffering from the cold. The regional government promised an "
    "emergency fund for affected families, without giving a figure. Opposition politicians said "
    "years of underinvestment had left the defences too weak. More rain is forecast for Wednesday."
)

# two independent reports of one ruling that both quote the judge's long statement in full
RULING_A_TITLE = "Court orders Brandt chemical plant closed over polluted wells"
RULING_A = (
    "A court in Vellmar on Friday ordered the closure of the Brandt chemical plant after years of "
    "complaints about polluted groundwater. Judge Irena Holm read out her ruling to a packed "
    "courtroom. “The company knew about the leaks for at least six years and chose to do nothing. "
    "The residents of Vellmar have paid for that silence with their health. This court will not "
    "allow the plant to reopen until every well has been cleaned,” Holm said. The plant employs "
    "around 300 people. Its owner, Brandt Chemie, said it would appeal. Environmental groups, who "
    "brought the case in 2019, called the ruling historic."
)
RULING_B_TITLE = "Vellmar workers fear for jobs after ruling against chemical plant"
RULING_B = (
    "Hundreds of residents gathered outside the Vellmar courthouse on Friday as judges ruled "
    "against the town's largest employer. Judge Irena Holm said in her ruling: “The company knew "
    "about the leaks for at least six years and chose to do nothing. The residents of Vellmar have "
    "paid for that silence with their health. This court will not allow the plant to reopen until "
    "every well has been cleaned.” Workers at the plant said they feared for their jobs. Farmers "
    "whose wells were contaminated have sought compensation in a separate case. A lawyer for the "
    "company told reporters the evidence had been misread."
)
