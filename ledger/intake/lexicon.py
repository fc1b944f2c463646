"""Declarative word lists the extractor reads, English and Spanish together (a Spanish article may quote
English and the reverse). Regular-expression fragments, matched case-insensitively on word boundaries."""

# Number words that multiply the figure before them.
SCALES = {
    r"thousand|mil|k": 10**3,
    r"million|millions|millones|millón|mln|mn|m": 10**6,
    r"billion|billions|bn|b": 10**9,
    r"mil millones": 10**9,
    r"trillion|tn|billones|billón": 10**12,
}

# Bare currency words; the ones marked True name the currency only by assumption ("dollars" → USD).
CURRENCY_WORDS = {
    r"dollars?|dólares|dólar|dolares|dolar": ("USD", True),
    r"euros?": ("EUR", False),
    r"yen|yenes": ("JPY", False),
    r"yuan|yuanes|renminbi|rmb": ("CNY", False),
    r"rubles?|roubles?|rublos?": ("RUB", False),
    # Ambiguous units: the donor's own currency when it has one of that name (assemble.own_currency).
    r"kroner|kronor|krone|coronas|crowns": ("NOK", True),
    r"pesos?": ("MXN", True),
    r"pounds? sterling|pounds?|libras? esterlinas?|libras?": ("GBP", False),
}
# Stated currency words that babel's names do not include.
CURRENCY_EXTRA = {
    r"u\.s\. dollars?|us dollars?|american dollars?|dólares (?:estadounidenses|norteamericanos|americanos)": "USD",
}
CURRENCY_SYMBOLS = {"US$": "USD", "U$S": "USD", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₽": "RUB", "C$": "CAD"}
ASSUMED_SYMBOLS = {"$"}  # "$" alone could be another dollar or a peso

QUALIFIERS = {
    "approximately": r"about|approximately|around|roughly|some|nearly|almost|close to|an estimated|estimated at|"
    r"unos|unas|aproximadamente|alrededor de|cerca de|casi|en torno a|aproximados|de unos|de unas|del orden de|"
    r"rond(?:a|an|ó|aron|aba|aban)(?:\s+(?:los|las))?|on the order of",
    "up_to": r"up to|as much as|as many as|hasta|did not exceed|not more than|no more than|no más de|"
    r"no super(?:ó|aron|a|an)(?:\s+(?:los|las))?",
    "at_least": r"at least|no less than|al menos|por lo menos|como mínimo|no menos de",
    "more_than": r"more than|over|in excess of|exceeding|exceeded|topped|más de|superior a|superiores a|"
    r"(?:apenas\s+)?super(?:ó|aron|a|an)(?:\s+(?:los|las))?",
}

# What kind of aid a figure is, read from the nearest cue word.
KIND_CUES = {
    "loan": r"loans?|credits?|credit line|lend|lent|lending|préstamos?|créditos?|línea de crédito|financiamiento reembolsable",
    "financial_assistance": r"financial assistance|financial aid|humanitarian assistance|humanitarian aid|budget support|"
    r"emergency assistance|emergency aid|emergency funding|asistencia de emergencia|ayuda de emergencia|"
    r"asistencia financiera|ayuda financiera|ayuda humanitaria|asistencia humanitaria",
    "grant": r"donations?|donated|donates|donate|grants?|gave|gives|give|donativos?|donación|donaciones|donó|donará|donar|"
    r"donado|donada|grant aid|non-refundable|no reembolsable",
    "debt_relief": r"debt relief|wrote off|written off|write off|writes off|forgave|forgiven|forgives|condonó|condona|"
    r"condonación|condonar|alivio de la deuda",
    "technical_assistance": r"technical assistance|asistencia técnica",
}
DEFAULT_MONEY_KIND = "grant"

# Status from the verb; the first group found in this order wins, a future tense making it "announced".
STATUS_CUES = [
    (
        "delivered",
        r"delivered|delivers|has sent|have sent|had sent|sent|shipped|dispatched|arrived|docked|handed over|unloaded|"
        r"flew|flown|airlifted|landed|aterrizó|received|receives|recibió|recibieron|ha recibido|han recibido|"
        r"entregó|entregaron|entregado|envió|enviaron|ha enviado|llegó|llegaron|arribó|desembarcó|despachó|despacharon|"
        r"despachado|atracó",
    ),
    ("disbursed", r"disbursed|paid out|transferred|desembolsó|desembolsado|transfirió|transferido"),
    (
        "committed",
        r"approved|granted|donated|gave|signed|allocated|awarded|agreed to provide|committed(?!\s+to\b)|contributed|"
        r"wrote off|written off|forgave|extended|extends|provided|condonó|aportó|extendió|proporcionó|brindó|facilitó|"
        r"agreed to \w+|aprobó|aprobado|donó|donado|donada|donados|otorgó|otorgado|concedió|concedido|concede|firmó|asignó|"
        r"asignado|destinó|destinado|acordó",
    ),
    ("pledged", r"pledged|pledges|promised|promises|committed to|prometió|promete|se comprometió"),
    ("announced", r"announced|announces|unveiled|anunció|anuncia|dio a conocer"),
]
# The subject of these receives what the sentence gives ("Cuba recibió un donativo ... procedente de Vietnam").
RECEIVE = r"received|receives|has received|recibió|recibieron|recibe|reciben|ha recibido|han recibido"
# Signing an agreement commits what it says will be given.
SIGNING = r"signed|firmó|firmaron|firmado|suscribió|suscribieron"
FUTURE = (
    r"will|would|'ll|is to|are to|plans? to|planned to|set to|going to|intends to|to be (?:sent|delivered|shipped)|"
    r"next (?:week|month|year)|due to|expected to|scheduled to|está previst[oa]|están previst[oa]s|se espera que|"
    r"\w+(?:ará|erá|irá|arán|erán|irán)|va a|van a|próxim[oa]s?|"
    r"anunció (?:el envío|la entrega|el despacho)|announced (?:the |a )?(?:shipment|delivery|dispatch)"
)

# Aid words: a sentence needs one for its figures to be proposed as aid.
AID_CUES = (
    r"aid|assistance|help|donat\w*|grants?|granted|loans?|credit|lend|lent|pledg\w*|support package|package|"
    r"approv\w*|promis\w*|promet\w*|prometi\w*|debt|deuda|wrote off|written off|forgave|forgiven|condon\w*|commit\w*|contribut\w*|aport\w*|"
    r"dispatch\w*|despach\w*|relief|tranches?|tramos?|flew|flown|airlift\w*|landed|aterrizó|consignments?|cargamentos?|lotes?|batch(?:es)?|allocat\w*|earmark\w*|transferr\w*|credit line|sent|send|ship\w*|deliver\w*|supply|supplied|provide|"
    r"provided|gave|give|given|humanitarian|destin\w*|asign\w*|transfir\w*|"
    r"ayuda|asistencia|donaci\w*|donativo\w*|don[óoa]\w*|préstamo\w*|crédito\w*|env[ií]\w*|entreg\w*|suministr\w*|"
    r"aprob\w*|otorg\w*|conced\w*|paquete|apoyo"
)
# A sentence with one of these is not proposing new aid.
COMMERCIAL = (
    r"commercial contract|commercial terms|sold|sale|sells|purchased from|vendió|vendido|venta|ventas|contrato comercial|"
    r"not a donation|no como donación|no es una donación|a precio de mercado"
)
CUMULATIVE = (
    r"in total|totall?ed|totals|totaling|totalling|brings? (?:the |its |their )?\w*\s*total|a total of|cumulative|"
    r"so far this year|to date|has reached|have reached|since \d{4}|altogether|"
    r"amounts? to|now stands at|stands at|now totals|"
    r"since the (?:start|beginning) of (?:the|this) year|over the (?:past|last) (?:decade|\w+ years)|"
    r"in the (?:past|last) decade|en (?:la|el|los) últim[oa]s? (?:década|decenio|lustro|\w+ años)|"
    r"desde (?:principios|inicios|comienzos) de(?:l)? año|"
    r"since (?:early |late |mid-?)?(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)|desde (?:principios de |finales de |mediados de )?(?:enero|febrero|marzo|abril|mayo|junio|julio|"
    r"agosto|septiembre|octubre|noviembre|diciembre)|"
    r"en total|(?<!se\s)suma|sumó|acumulad\w*|en lo que va|desde \d{4}|hasta la fecha|ha alcanzado|han alcanzado|"
    r"asciende a|ascienden a|se eleva a|se elevan a"
)
# Past verbs of saying and signing; a date right after one is a past date even in a future-tense sentence.
PAST_SPEECH = r"dijo|anunció|afirmó|aseguró|declaró|informó|firmó|firmaron|suscribió|told|wrote"
# A request or a proposal still under study is not a pledge ("studying a request from Havana for ...").
UNDECIDED = (
    r"studying a request|considering a request|(?:is|are) (?:still )?(?:studying|considering|weighing|reviewing) (?:a|the|an)|"
    r"no decision|under study|under consideration|estudia(?:ndo)? (?:una|la) (?:solicitud|petición)|"
    r"analiza(?:ndo)? (?:una|la) (?:solicitud|petición)|no se ha tomado|ninguna decisión|en estudio|"
    r"asked (?:\w+ ){0,3}for|requested|appealed for|has not (?:yet )?responded|solicitó|solicitaron|ha solicitado|"
    r"pidió|pidieron|ha pedido|(?:aún|todavía) no ha respondido|"
    # speculation: "may consider", "podría otorgar"
    r"(?:may|might|could) (?:consider|provide|give|grant|offer|extend|send|approve)|"
    r"podría|podrían|estudia la posibilidad|evalúa la posibilidad"
)
# A figure after these is a part of the figure before it ("$10 million, of which 4 million for food").
PART_BEFORE = r"of which|of the total|de los cuales|de las cuales|del total|de ese total|de esa cantidad|de ellos"
# A figure after these is the rest of an earlier pledge, not a new one ("the remaining 40,000 tonnes").
REST_BEFORE = (
    r"remaining|rest of(?: the)?|balance of(?: the)?|restantes?|resto de(?: los| las)?|el resto de(?: los| las)?"
)
WARNING = r"warned|warns|threatened|threatens|could be suspended|would be suspended|advirtió|amenazó"
PACKAGE = r"package|paquete"
# A part of an earlier pledge paid separately: of the kind of the money named before it.
TRANCHE = r"tranches?|tramos?|instal(?:l)?ments?|cuotas?|desembolsos? parcial(?:es)?"

TRADE_CUES = (
    r"trade|trading|exchange|exports?|imports?|investor|investment|commerce|commercial exchange|"
    r"comercio|intercambio|exportaciones|importaciones|inversor|inversión|socio comercial"
)

STATEMENT_CUES = [
    (
        "call_on_third_party",
        r"urged|urges|called on|calls on|demanded|instó|insta|exhortó|exhorta|pidió a|pide a|exigió a",
    ),
    (
        "rejection_of_pressure",
        r"reject\w*|condemn\w*|rechaz\w*|conden\w*|denunci\w*|opposition to|opposes|oposición a|se opone a|"
        r"se opuso a|call(?:ed|s)? for (?:an end to|the end of|the lifting of|lifting)|"
        r"(?:pidió|pide|reclamó|exigió) el (?:fin|levantamiento) del?",
    ),
    (
        "offer_of_help",
        r"willing to help|ready to help|keep helping|continue helping|continue to help|offered (?:to help|help|assistance)|"
        r"keeps? (?:helping|supporting)|will continue (?:to help|helping|to support|supporting)|"
        r"dispuest[oa]s? a ayudar|seguir ayudando|continuar ayudando|ofreció (?:su )?ayuda|"
        r"(?:seguirá|seguirán|continuará|continuarán)\s+(?:ayudando|apoyando|respaldando)",
    ),
    (
        "support",
        r"thank\w*|gratitude|grateful|(?:reaffirmed|reiterated|expressed|voiced|renewed)\s+(?:\S+\s+){0,3}?[\"“]?(?:support|solidarity)|"
        r"agradec\w*|gratitud|(?:reafirmó|reiteró|expresó|renovó)\s+(?:\S+\s+){0,3}?[\"“]?(?:apoyo|respaldo|solidaridad)",
    ),
]
# A statement's subject given only by a title: the speaker is then the article's one donor.
SPEAKER_TITLES = (
    r"(?:the|el|la|a|un|una)\s+(?:spokes(?:man|woman|person)|portavoz|vocer[oa]|ministry|ministr[oa]|minister|"
    r"foreign minister|canciller|embajador[a]?|ambassador|president[ea]?|premier|primer ministro|prime minister|"
    r"official|funcionari[oa]|diplomátic[oa]|diplomat)"
)
THANKS = r"thank\w*|gratitude|grateful|agradec\w*|gratitud"

# Where the recipient stands: after these words.
RECIPIENT_BEFORE = {
    "en": r"to|for|into|in|help|helping|assist|gave|give|gives|support|supporting",
    "es": r"a|para|en|hacia|ayudar a|con destino a",
}
SUBJECT_BEFORE = {
    "en": RECIPIENT_BEFORE["en"] + r"|against|toward|towards|regarding|with|on",
    "es": RECIPIENT_BEFORE["es"] + r"|contra|sobre|con|respecto a",
}
CHANNEL_BEFORE = r"through|via|channelled through|por medio de|a través de"
SOURCE_BEFORE = r"according to|said|says|told|según|informó|dijo|cited by|citadas por|citado por"

# Goods. Units map to the ledger's Unit choices; count nouns become "units".
UNITS = {
    r"metric tons?|metric tonnes?|tonnes?|tons?|toneladas?|t": "t",
    r"kilograms?|kilogrammes?|kilos?|kg|kilogramos?": "kg",
    r"litres?|liters?|litros?": "l",
    r"barrels?|bbl|barriles?": "bbl",
    r"doses|dosis": "doses",
    r"units|unidades": "units",
}
# "a 3,000-tonne shipment of rice": the word for a consignment between the unit and the goods.
CONSIGNMENT = (
    r"(?:shipments?|consignments?|cargos?|loads?|batch|batches|deliver(?:y|ies)|donations?|envíos?|cargamentos?)"
)
# Small counts written out, for counted goods ("three ambulances", "dos ambulancias"); not "one"/"un".
# ("once" is left out: in English it is an adverb.)
SPELLED_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
    "doce": 12, "quince": 15, "veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50,
}  # fmt: skip
COUNT_GOODS = (
    r"(?:solar )?lamps|generators|vehicles|ambulances|buses|tractors|trucks|computers|tablets|laptops|"
    r"solar panels|panels|kits|beds|wheelchairs|ventilators|water purifiers|tents|solar parks|solar farms|water pumps|"
    r"motorcycles|incubators|blankets|mattresses|tarpaulins|mosquito nets|jerrycans|stoves|"
    r"generadores|vehículos|ambulancias|ómnibus|autobuses|tractores|camiones|computadoras|paneles solares|"
    r"lámparas(?: solares)?|kits|camas|parques solares(?: fotovoltaicos)?|bombas de agua|motos|motocicletas|"
    r"sillas de ruedas|ventiladores pulmonares|incubadoras|potabilizadoras|tiendas de campaña|mantas|frazadas|"
    r"colchones|lonas|mosquiteros|bidones"
)
COMMODITY_STOP = frozenset(
    [
        "to",
        "for",
        "as",
        "in",
        "on",
        "at",
        "by",
        "from",
        "under",
        "worth",
        "valued",
        "with",
        "which",
        "that",
        "this",
        "last",
        "aimed",
        "destined",
        "was",
        "were",
        "is",
        "are",
        "have",
        "has",
        "had",
        "will",
        "would",
        "the",
        "its",
        "their",
        "a",
        "al",
        "para",
        "como",
        "en",
        "por",
        "con",
        "desde",
        "bajo",
        "que",
        "este",
        "esta",
        "el",
        "la",
        "los",
        "las",
        "lo",
        "del",
        "ya",
        "ha",
        "han",
        "había",
        "fue",
        "será",
        "se",
        "su",
        "sus",
        "before",
        "after",
        "during",
        "until",
        "since",
        "antes",
        "después",
        "durante",
        "hasta",
        "tras",
        "free",
        "gratis",
        "worth",
        "each",
        "apiece",
        "cada",
        "next",
        "part",
        "parte",
        "through",
        "via",
        "into",
        "toward",
        "towards",
        "mediante",
        "través",
        "hacia",
        # participles: "arroz donado por Hanói", "rice donated by China"
        "donado",
        "donada",
        "donados",
        "donadas",
        "enviado",
        "enviados",
        "enviada",
        "enviadas",
        "entregado",
        "entregados",
        "prometido",
        "prometidos",
        "procedente",
        "procedentes",
        "donated",
        "pledged",
        "promised",
        "sent",
        "shipped",
        "delivered",
        "provided",
        "supplied",
        # past verbs right after goods: "400 tonnes of powdered milk left Montreal"
        "left",
        "came",
        "reached",
        "arrive",
        "arrives",
        "arriving",
        "llegó",
        "llegaron",
        "llegará",
        "llegarán",
        "salió",
        "salieron",
        "partió",
        "zarpó",
    ]
)
COMMODITY_JOIN = frozenset({"and", "y", "e", "&"})

# Spanish commodity names → the ledger's English ones.
COMMODITIES_ES = {
    "arroz": "rice",
    "petróleo": "oil",
    "petróleo crudo": "crude oil",
    "crudo": "crude oil",
    "diésel": "diesel",
    "diesel": "diesel",
    "combustible": "fuel",
    "frijol": "beans",
    "frijoles": "beans",
    "trigo": "wheat",
    "leche en polvo": "powdered milk",
    "azúcar": "sugar",
    "maíz": "maize",
    "harina": "flour",
    "pollo": "chicken",
    "medicamentos": "medicines",
    "vacunas": "vaccines",
    "fertilizantes": "fertiliser",
    "aceite": "cooking oil",
    "gas licuado": "liquefied gas",
    "insumos médicos": "medical supplies",
    "suministros médicos": "medical supplies",
    "alimentos": "food",
    "generadores": "generators",
    "paneles solares": "solar panels",
    "lámparas solares": "solar lamps",
    "quinua": "quinoa",
    "lentejas": "lentils",
    "garbanzos": "chickpeas",
    "chícharos": "peas",
    "leche": "milk",
    "carne": "meat",
    "pescado": "fish",
    "atún": "tuna",
    "sardinas": "sardines",
    "pastas": "pasta",
    "sal": "salt",
    "café": "coffee",
    "gasolina": "petrol",
    "urea": "urea",
    "jeringuillas": "syringes",
    "jeringas": "syringes",
    "papas": "potatoes",
    "soya": "soybean",
    "soja": "soybean",
    "agua": "water",
    "agua potable": "drinking water",
    "tiendas de campaña": "tents",
    "materiales de construcción": "building materials",
    "bacalao": "cod",
    "material sanitario": "medical supplies",
    "ambulancias": "ambulances",
    "vehículos": "vehicles",
    "ómnibus": "buses",
    "autobuses": "buses",
    "tractores": "tractors",
    "camiones": "trucks",
    "computadoras": "computers",
    "camas": "beds",
    "parques solares": "solar parks",
    "parques solares fotovoltaicos": "solar parks",
    "bombas de agua": "water pumps",
    "motos": "motorcycles",
    "motocicletas": "motorcycles",
    "sillas de ruedas": "wheelchairs",
    "ventiladores pulmonares": "ventilators",
    "incubadoras": "incubators",
    "potabilizadoras": "water purifiers",
    "mantas": "blankets",
    "frazadas": "blankets",
    "colchones": "mattresses",
    "lonas": "tarpaulins",
    "mosquiteros": "mosquito nets",
    "bidones": "jerrycans",
    "materiales sanitarios": "medical supplies",
    "insumos sanitarios": "medical supplies",
    "kits de higiene": "hygiene kits",
    "kits de aseo": "hygiene kits",
    "kits de refugio": "shelter kits",
}
# Spanish adjectives (and "de X" complements) that go before the noun in English: "arroz blanco" → "white rice".
MODIFIERS_ES = {
    "blanco": "white",
    "negros": "black",
    "negro": "black",
    "rojos": "red",
    "vegetal": "vegetable",
    "en polvo": "powdered",
    "de soya": "soybean",
    "de soja": "soybean",
    "de maíz": "corn",
    "de trigo": "wheat",
    "de cocina": "cooking",
    "médicos": "medical",
    "eléctricos": "electric",
    "solares": "solar",
    "refinado": "refined",
    "crudo": "crude",
    "congelado": "frozen",
    "enlatados": "canned",
}

STOPWORDS = {
    "en": {
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "that",
        "for",
        "on",
        "with",
        "as",
        "was",
        "by",
        "from",
        "at",
        "it",
        "his",
        "its",
        "are",
        "be",
        "have",
        "has",
        "this",
        "an",
        "which",
        "said",
        "were",
        "their",
        "not",
        "or",
        "will",
        "would",
        "also",
        "been",
        "who",
        "after",
    },
    "es": {
        "el",
        "la",
        "de",
        "que",
        "y",
        "en",
        "los",
        "las",
        "del",
        "se",
        "por",
        "un",
        "una",
        "con",
        "para",
        "al",
        "lo",
        "como",
        "su",
        "más",
        "pero",
        "sus",
        "le",
        "ya",
        "o",
        "este",
        "esta",
        "fue",
        "ha",
        "son",
        "entre",
        "también",
        "sobre",
        "dijo",
        "según",
    },
    # Only to tell other languages apart: intake reads English and Spanish.
    "fr": {
        "le",
        "la",
        "les",
        "de",
        "des",
        "du",
        "et",
        "en",
        "un",
        "une",
        "est",
        "que",
        "qui",
        "pour",
        "dans",
        "par",
        "sur",
        "au",
        "aux",
        "pas",
        "ne",
        "il",
        "elle",
        "a",
        "été",
        "avec",
        "selon",
    },
    "pt": {
        "o",
        "a",
        "os",
        "as",
        "de",
        "do",
        "da",
        "dos",
        "das",
        "e",
        "em",
        "um",
        "uma",
        "que",
        "para",
        "com",
        "por",
        "no",
        "na",
        "não",
        "foi",
        "ao",
        "mais",
        "pelo",
        "pela",
        "segundo",
    },
    "it": {
        "il",
        "lo",
        "la",
        "gli",
        "le",
        "di",
        "del",
        "della",
        "e",
        "in",
        "un",
        "una",
        "che",
        "per",
        "con",
        "non",
        "è",
        "sono",
        "da",
        "al",
        "alla",
        "dei",
        "ha",
        "secondo",
    },
    "de": {
        "der",
        "die",
        "das",
        "und",
        "in",
        "den",
        "von",
        "zu",
        "mit",
        "ist",
        "im",
        "für",
        "auf",
        "nicht",
        "ein",
        "eine",
        "dem",
        "des",
        "sich",
        "auch",
        "es",
        "an",
        "wurde",
    },
}

# A figure right after these is a running total, not a new pledge ("aid to Cuba amounted to $25 million").
TOTAL_BEFORE = (
    r"amounted to|amounts to|amount to|reached|reaches|stood at|stands at|rose to|totalled|totaled|"
    r"alcanzó|alcanzaron|alcanza|ascendió a|asciende a|llegó a|sumó|sumaron|se elevó a"
)
# "bringing its total aid this year to 45 million": what follows is a running total.
BRINGING = r"bring(?:s|ing)?|rais(?:es|ing)|lift(?:s|ing)|elevando|llevando|lo que eleva|lo que lleva"
# Goods whose value, not quantity, is given ("medical equipment worth 200 million yen"), unless the noun
# before "worth" is itself a kind of financial aid ("a credit line worth $100 million").
NOT_GOODS_BEFORE_WORTH = r"line|loan|credit|package|grant|debt|aid|assistance|deal|contract|donation|agreement|deuda|crédito|préstamo|paquete|acuerdo|contrato"
