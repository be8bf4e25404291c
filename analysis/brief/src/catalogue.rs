//! Every word of the brief, one typed catalogue per language: a [`Catalogue`] is a struct, so a
//! language that lacks a string does not compile. Sentences with figures are functions, so each
//! language orders its words and writes its numbers its own way (`2,07 $` in French).

use std::str::FromStr;

/// The languages of the brief.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    En,
    Fr,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::Fr];

    /// The BCP 47 tag.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
        }
    }

    pub(crate) fn catalogue(self) -> &'static Catalogue {
        match self {
            Language::En => &EN,
            Language::Fr => &FR,
        }
    }
}

impl FromStr for Language {
    type Err = String;

    fn from_str(text: &str) -> Result<Language, String> {
        match text {
            "en" => Ok(Language::En),
            "fr" => Ok(Language::Fr),
            _ => Err(format!(
                "'{}' is not a language of the brief; use en or fr",
                text.chars().take(16).collect::<String>()
            )),
        }
    }
}

/// Every string of the brief in one language.
pub(crate) struct Catalogue {
    pub title: &'static str,
    pub subtitle: &'static str,
    /// The period of the records: from, to.
    pub period: fn(&str, &str) -> String,
    pub period_unknown: &'static str,
    pub decimal_separator: char,
    /// The language of the country names (`analysis::CountryCode::short_name_in`).
    pub country_names: analysis::Language,
    /// A figure in US dollars, already formatted with two decimals in this language.
    pub dollars: fn(&str) -> String,
    pub per_hour: &'static str,
    /// A percentage, already formatted without decimals.
    pub percent: fn(&str) -> String,
    /// A 95% interval: low, high (formatted figures).
    pub interval: fn(&str, &str) -> String,
    pub workers: fn(u64) -> String,

    pub synthetic_warning: &'static str,
    pub requester_warning: &'static str,

    pub headline_heading: &'static str,
    pub median_all: &'static str,
    pub median_all_explained: &'static str,
    pub median_paid: &'static str,
    pub median_paid_explained: &'static str,
    pub below_minimum: &'static str,
    /// Of how many workers, whose minimum is known.
    pub below_minimum_explained: fn(u64) -> String,
    pub below_minimum_unknown: &'static str,
    pub unpaid_time: &'static str,
    /// Minutes of unpaid time per paid hour.
    pub unpaid_minutes: fn(u64) -> String,
    pub unpaid_explained: &'static str,
    pub no_interval: &'static str,
    /// The headline when the overall cell publishes nothing.
    pub nothing_published: fn(u32) -> String,
    pub not_published: &'static str,

    pub spread_heading: &'static str,
    pub spread_title: &'static str,
    pub spread_legend: &'static str,
    pub us_federal_line: &'static str,
    pub local_minimum_marks: &'static str,
    pub spread_figures_caption: &'static str,
    pub platform: &'static str,
    pub country: &'static str,
    pub month: &'static str,
    pub median: &'static str,
    pub p10: &'static str,
    pub p25: &'static str,
    pub p75: &'static str,
    pub p90: &'static str,
    pub below_usd_7_25: &'static str,
    pub no_platform_published: &'static str,

    pub trend_heading: &'static str,
    pub trend_title: &'static str,
    pub trend_legend: &'static str,
    pub trend_figures_caption: &'static str,
    pub trend_single_month: &'static str,
    pub median_all_short: &'static str,
    pub median_paid_short: &'static str,

    pub table_heading: &'static str,
    pub table_caption: &'static str,
    pub workers_column: &'static str,
    pub median_all_column: &'static str,
    pub median_paid_column: &'static str,
    pub below_minimum_column: &'static str,
    pub threshold_column: &'static str,
    pub unpaid_column: &'static str,
    pub country_unknown: &'static str,
    /// A suppressed cell: fewer than k workers.
    pub suppressed_fewer: fn(u32) -> String,
    pub suppressed_complementary: &'static str,
    pub no_cell: &'static str,
    /// A threshold: amount with its currency, date in force from.
    pub threshold: fn(&str, &str) -> String,
    pub lowest_regional: &'static str,
    pub no_statutory_minimum: &'static str,
    pub minimum_not_known: &'static str,
    pub rounded_note: fn(&str) -> String,

    pub notes_heading: &'static str,

    pub methodology_heading: &'static str,
    pub method_all_definition: &'static str,
    pub method_paid_definition: &'static str,
    pub median_interval_definition: &'static str,
    pub minimum_definition: &'static str,
    /// min workers, min hours, max hourly wage.
    pub suppression_definition: fn(u32, &str, &str) -> String,
    pub disclosure_definition: &'static str,
    pub requester_definition: &'static str,
    pub synthetic_definition: &'static str,
    pub ppp_definition: &'static str,

    pub sources_heading: &'static str,
    pub minimum_sources_used: &'static str,
    /// The source of a reference table, by its file name.
    pub table_source: fn(&str) -> &'static str,
    /// rows, latest period or "–", sha256 prefix.
    pub table_facts: fn(u32, &str, &str) -> String,

    pub provenance_heading: &'static str,
    pub generated_at: &'static str,
    pub made_by: &'static str,
    pub commit_unknown: &'static str,
    pub parameters: &'static str,
    pub period_label: &'static str,
    pub inputs_label: &'static str,
    /// records, bad lines, bytes.
    pub input_facts: fn(u64, u64, u64) -> String,
    pub repeated_records: fn(u64) -> String,
    pub observatory_source: fn(u64) -> String,
    /// Before the snapshot's date and hash: "To cite: as of".
    pub as_of: &'static str,
    /// After them: which snapshot it is (the one the figures are).
    pub as_of_note: &'static str,
}

static EN: Catalogue = Catalogue {
    country_names: analysis::Language::English,
    title: "Effective hourly wages of microtask work",
    subtitle: "What workers earn for each hour they give to online platforms, measured from their own records",
    period: |from, to| format!("Records from {from} to {to}"),
    period_unknown: "Period of the records not known",
    decimal_separator: '.',
    dollars: |amount| format!("${amount}"),
    per_hour: "/h",
    percent: |value| format!("{value}%"),
    interval: |low, high| format!("95% interval {low} to {high}"),
    workers: |n| format!("{n} worker{}", if n == 1 { "" } else { "s" }),

    synthetic_warning: "Synthetic data: some or all workers here were made by piecerate simulate for demonstration. These figures describe no real worker and must not be quoted as findings.",
    requester_warning: "Some workers come from requester-side exports: their wages are lower bounds (see the methodology).",

    headline_heading: "Headline",
    median_all: "Median effective wage, all time",
    median_all_explained: "Every minute workers recorded: paid tasks, unpaid tasks and unpaid work between tasks.",
    median_paid: "Median effective wage, paid time only",
    median_paid_explained: "Only the time of tasks that paid: closest to the rate platforms advertise.",
    below_minimum: "Below the local minimum wage",
    below_minimum_explained: |n| format!("of {n} workers whose statutory minimum is known, all time counted"),
    below_minimum_unknown: "No worker's statutory minimum is known.",
    unpaid_time: "Unpaid time per paid hour",
    unpaid_minutes: |minutes| format!("{minutes} min"),
    unpaid_explained: "searching, unpaid tasks and screeners, for each hour of paid work",
    no_interval: "no interval: too few workers",
    nothing_published: |k| {
        format!(
            "No figure can be published from these records: no group has at least {k} workers with enough counted time. The brief shows no figure rather than one that could identify a worker."
        )
    },
    not_published: "not published",

    spread_heading: "Wages per platform",
    spread_title: "Effective hourly wage per platform, all time, US dollars: whiskers from the 10th to the 90th percentile of workers, box from the 25th to the 75th, bar at the median",
    spread_legend: "Whiskers: 10th to 90th percentile of workers; box: 25th to 75th; thick bar: median. Dashed line: US federal minimum, $7.25/h. Triangles: the local minimum wage of each country on the platform, in US dollars.",
    us_federal_line: "US $7.25",
    local_minimum_marks: "local minimums",
    spread_figures_caption: "The chart's figures: effective hourly wage per platform, all time, US dollars",
    platform: "Platform",
    country: "Country",
    month: "Month",
    median: "Median",
    p10: "10th pct.",
    p25: "25th pct.",
    p75: "75th pct.",
    p90: "90th pct.",
    below_usd_7_25: "Below $7.25",
    no_platform_published: "No platform has enough workers to be shown.",

    trend_heading: "Monthly trend",
    trend_title: "Median effective hourly wage per month, US dollars, with its 95% interval: all time and paid time only",
    trend_legend: "Solid line: all time; dashed line: paid time only; shaded bands: 95% intervals of the medians. Months with too few workers are gaps.",
    trend_figures_caption: "The chart's figures: median effective hourly wage per month, US dollars",
    trend_single_month: "The records cover one month only; no trend is drawn.",
    median_all_short: "Median, all time",
    median_paid_short: "Median, paid only",

    table_heading: "Per platform and country",
    table_caption: "Effective hourly wage per worker, US dollars, with the 95% interval of the median; share of workers below the statutory minimum wage of their country, month by month, all time counted.",
    workers_column: "Workers",
    median_all_column: "Median, all time",
    median_paid_column: "Median, paid only",
    below_minimum_column: "Below local minimum",
    threshold_column: "Local minimum used",
    unpaid_column: "Unpaid min per paid hour",
    country_unknown: "country not given",
    suppressed_fewer: |k| format!("suppressed: fewer than {k} workers"),
    suppressed_complementary: "withheld so that no subtraction reveals a smaller group",
    no_cell: "No group of workers in these records.",
    threshold: |amount, since| format!("{amount}/h since {since}"),
    lowest_regional: "lowest regional rate",
    no_statutory_minimum: "no statutory minimum",
    minimum_not_known: "not known",
    rounded_note: |step| format!("wages rounded to {step}"),

    notes_heading: "Notes",

    methodology_heading: "How this was measured",
    method_all_definition: "Effective hourly wage, all time: a worker's earnings (rewards and bonuses of approved and submitted tasks, in US dollars at each month's market rate) divided by all the time they recorded: tasks that paid, tasks that ended unpaid (returned, rejected, abandoned, screened out) and unpaid work between tasks (searching, qualification tests, screeners).",
    method_paid_definition: "Paid time only: the same earnings divided by the time of tasks that paid. The difference between the two is the cost of unpaid work.",
    median_interval_definition: "Each worker counts once in a group, whatever the number of their tasks. The median is the wage of the middle worker; its 95% interval is distribution-free (from the order statistics), so it assumes no shape of the wages.",
    minimum_definition: "Each worker's earnings are compared with what the statutory minimum wage of their country, in force in each month of their counted time, would have paid for the same hours. Where the minimum is not known or there is none, the worker is not counted in the share, and the table says why.",
    suppression_definition: |k, hours, max| {
        format!(
            "Suppression: a group of fewer than {k} workers publishes no figure. Workers with fewer than {hours} counted hours in a group, or an effective wage above {max} an hour (which no microtask pays), are left out of it."
        )
    },
    disclosure_definition: "Disclosure control: task counts and hours are rounded, wages of groups of fewer than 20 workers are rounded, and groups are withheld so that no subtraction between published figures reveals a smaller group or a worker.",
    requester_definition: "Requester data: records converted from a requester's export (MTurk batch results, Prolific submissions) take the work time as the wall time from accepting a task to submitting it, which includes time the task waited while the worker did something else. Their hours are too many, so their wages are lower bounds of what workers earned per hour of that requester's work.",
    synthetic_definition: "Synthetic data: records made by piecerate simulate, calibrated to published studies, for demonstrations and tests. They are flagged wherever they appear and are not observations.",
    ppp_definition: "Money is in international dollars at purchasing-power parity (World Bank conversion factor for GDP); the $7.25 reference is 7.25 international dollars.",

    sources_heading: "Sources of the reference tables",
    minimum_sources_used: "Minimum wages used in the table come from",
    table_source: |file| match file {
        "currencies.csv" => "ISO 4217 currency codes (datahub currency-codes, ODC-PDDL).",
        "countries.csv" => "ISO 3166-1 country codes and names (datahub country-codes, ODC-PDDL).",
        "usd_exchange_rates.csv" => {
            "Monthly exchange rates to the US dollar: Federal Reserve series from FRED (datahub exchange-rates, ODC-PDDL) and World Bank World Development Indicators PA.NUS.FCRF (CC BY 4.0)."
        }
        "minimum_wages.csv" => {
            "Statutory minimum wages, one row per change, each with its evidence file and source (the project's minimum-wage source sets, evidence-checked)."
        }
        "ppp_factors.csv" => {
            "Purchasing-power parity conversion factors for GDP, World Bank World Development Indicators PA.NUS.PPP (CC BY 4.0)."
        }
        _ => "See the project's reference data sources.",
    },
    table_facts: |rows, latest, sha| format!("{rows} rows, latest period {latest}, SHA-256 {sha}"),

    provenance_heading: "Provenance",
    generated_at: "Generated",
    made_by: "Made by",
    commit_unknown: "commit not known",
    parameters: "Parameters",
    period_label: "Period",
    inputs_label: "Inputs",
    input_facts: |records, bad, bytes| {
        format!("{records} records counted, {bad} bad lines skipped, {bytes} bytes")
    },
    repeated_records: |n| format!("{n} repeated records (same record_id) counted once"),
    observatory_source: |n| {
        format!(
            "The observatory's published figures, from the totals of {n} workers' installs; only cells that pass disclosure control are shown."
        )
    },
    as_of: "To cite: as of",
    as_of_note: "the observatory's latest snapshot, from which these figures come",
};

static FR: Catalogue = Catalogue {
    country_names: analysis::Language::French,
    title: "Salaires horaires effectifs du micro-travail",
    subtitle: "Ce que gagnent les travailleurs pour chaque heure donnée aux plateformes en ligne, mesuré à partir de leurs propres relevés",
    period: |from, to| format!("Relevés du {from} au {to}"),
    period_unknown: "Période des relevés inconnue",
    decimal_separator: ',',
    dollars: |amount| format!("{amount}\u{a0}$"),
    per_hour: "/h",
    percent: |value| format!("{value}\u{a0}%"),
    interval: |low, high| format!("intervalle à 95\u{a0}% de {low} à {high}"),
    workers: |n| format!("{n} travailleur{}", if n <= 1 { "" } else { "s" }),

    synthetic_warning: "Données synthétiques\u{a0}: tout ou partie des travailleurs ci-dessous ont été produits par piecerate simulate pour une démonstration. Ces chiffres ne décrivent aucun travailleur réel et ne doivent pas être cités comme des résultats.",
    requester_warning: "Certains travailleurs proviennent d'exports de donneurs d'ordre\u{a0}: leurs salaires sont des bornes inférieures (voir la méthode).",

    headline_heading: "L'essentiel",
    median_all: "Salaire effectif médian, tout le temps compté",
    median_all_explained: "Chaque minute relevée\u{a0}: tâches payées, tâches non payées et travail non payé entre les tâches.",
    median_paid: "Salaire effectif médian, temps payé seulement",
    median_paid_explained: "Seulement le temps des tâches payées\u{a0}: le plus proche du taux affiché par les plateformes.",
    below_minimum: "Sous le salaire minimum local",
    below_minimum_explained: |n| {
        format!("des {n} travailleurs dont le minimum légal est connu, tout le temps compté")
    },
    below_minimum_unknown: "Le minimum légal d'aucun travailleur n'est connu.",
    unpaid_time: "Temps non payé par heure payée",
    unpaid_minutes: |minutes| format!("{minutes}\u{a0}min"),
    unpaid_explained: "recherche, tâches non payées et questionnaires de sélection, pour chaque heure de travail payée",
    no_interval: "pas d'intervalle\u{a0}: trop peu de travailleurs",
    nothing_published: |k| {
        format!(
            "Aucun chiffre ne peut être publié à partir de ces relevés\u{a0}: aucun groupe ne compte au moins {k} travailleurs avec assez de temps relevé. Le document ne montre aucun chiffre plutôt qu'un chiffre qui pourrait identifier un travailleur."
        )
    },
    not_published: "non publié",

    spread_heading: "Salaires par plateforme",
    spread_title: "Salaire horaire effectif par plateforme, tout le temps compté, en dollars américains\u{a0}: moustaches du 10e au 90e centile des travailleurs, boîte du 25e au 75e, trait à la médiane",
    spread_legend: "Moustaches\u{a0}: du 10e au 90e centile des travailleurs\u{a0}; boîte\u{a0}: du 25e au 75e\u{a0}; trait épais\u{a0}: médiane. Ligne pointillée\u{a0}: minimum fédéral des États-Unis, 7,25\u{a0}$/h. Triangles\u{a0}: le salaire minimum local de chaque pays présent sur la plateforme, en dollars américains.",
    us_federal_line: "7,25\u{a0}$ (É.-U.)",
    local_minimum_marks: "minimums locaux",
    spread_figures_caption: "Les chiffres du graphique\u{a0}: salaire horaire effectif par plateforme, tout le temps compté, en dollars américains",
    platform: "Plateforme",
    country: "Pays",
    month: "Mois",
    median: "Médiane",
    p10: "10e centile",
    p25: "25e centile",
    p75: "75e centile",
    p90: "90e centile",
    below_usd_7_25: "Sous 7,25\u{a0}$",
    no_platform_published: "Aucune plateforme ne compte assez de travailleurs pour être montrée.",

    trend_heading: "Évolution mensuelle",
    trend_title: "Salaire horaire effectif médian par mois, en dollars américains, avec son intervalle à 95\u{a0}%\u{a0}: tout le temps compté et temps payé seulement",
    trend_legend: "Trait plein\u{a0}: tout le temps compté\u{a0}; pointillés\u{a0}: temps payé seulement\u{a0}; bandes\u{a0}: intervalles à 95\u{a0}% des médianes. Les mois avec trop peu de travailleurs sont laissés vides.",
    trend_figures_caption: "Les chiffres du graphique\u{a0}: salaire horaire effectif médian par mois, en dollars américains",
    trend_single_month: "Les relevés couvrent un seul mois\u{a0}: aucune évolution n'est tracée.",
    median_all_short: "Médiane, tout compté",
    median_paid_short: "Médiane, payé seul.",

    table_heading: "Par plateforme et par pays",
    table_caption: "Salaire horaire effectif par travailleur, en dollars américains, avec l'intervalle à 95\u{a0}% de la médiane\u{a0}; part des travailleurs sous le salaire minimum légal de leur pays, mois par mois, tout le temps compté.",
    workers_column: "Travailleurs",
    median_all_column: "Médiane, tout compté",
    median_paid_column: "Médiane, payé seulement",
    below_minimum_column: "Sous le minimum local",
    threshold_column: "Minimum local retenu",
    unpaid_column: "Min non payées par heure payée",
    country_unknown: "pays non indiqué",
    suppressed_fewer: |k| format!("masqué\u{a0}: moins de {k} travailleurs"),
    suppressed_complementary: "retenu pour qu'aucune soustraction ne révèle un groupe plus petit",
    no_cell: "Aucun groupe de travailleurs dans ces relevés.",
    threshold: |amount, since| format!("{amount}/h depuis le {since}"),
    lowest_regional: "taux régional le plus bas",
    no_statutory_minimum: "pas de minimum légal",
    minimum_not_known: "inconnu",
    rounded_note: |step| format!("salaires arrondis à {step}"),

    notes_heading: "Remarques",

    methodology_heading: "Méthode",
    method_all_definition: "Salaire horaire effectif, tout le temps compté\u{a0}: les gains d'un travailleur (récompenses et primes des tâches approuvées et soumises, en dollars américains au taux de marché de chaque mois) divisés par tout le temps relevé\u{a0}: tâches payées, tâches terminées sans paiement (rendues, rejetées, abandonnées, écartées par un questionnaire) et travail non payé entre les tâches (recherche, tests de qualification, questionnaires de sélection).",
    method_paid_definition: "Temps payé seulement\u{a0}: les mêmes gains divisés par le temps des tâches payées. L'écart entre les deux est le coût du travail non payé.",
    median_interval_definition: "Chaque travailleur compte une fois par groupe, quel que soit son nombre de tâches. La médiane est le salaire du travailleur du milieu\u{a0}; son intervalle à 95\u{a0}% est non paramétrique (tiré des statistiques d'ordre), sans hypothèse sur la forme des salaires.",
    minimum_definition: "Les gains de chaque travailleur sont comparés à ce qu'aurait payé, pour les mêmes heures, le salaire minimum légal de son pays en vigueur chaque mois de son temps compté. Quand le minimum est inconnu ou n'existe pas, le travailleur n'est pas compté dans la part, et le tableau dit pourquoi.",
    suppression_definition: |k, hours, max| {
        format!(
            "Masquage\u{a0}: un groupe de moins de {k} travailleurs ne publie aucun chiffre. Les travailleurs avec moins de {hours}\u{a0}heures comptées dans un groupe, ou un salaire effectif au-dessus de {max} de l'heure (qu'aucune micro-tâche ne paie), en sont exclus."
        )
    },
    disclosure_definition: "Contrôle de la divulgation\u{a0}: les nombres de tâches et d'heures sont arrondis, les salaires des groupes de moins de 20 travailleurs aussi, et des groupes sont retenus pour qu'aucune soustraction entre chiffres publiés ne révèle un groupe plus petit ou un travailleur.",
    requester_definition: "Données de donneurs d'ordre\u{a0}: les relevés convertis depuis l'export d'un donneur d'ordre (résultats de lots MTurk, soumissions Prolific) comptent comme temps de travail le temps écoulé entre l'acceptation d'une tâche et sa soumission, qui inclut le temps où la tâche attendait pendant que le travailleur faisait autre chose. Leurs heures sont trop nombreuses\u{a0}: leurs salaires sont des bornes inférieures de ce que les travailleurs ont gagné par heure pour ce donneur d'ordre.",
    synthetic_definition: "Données synthétiques\u{a0}: relevés produits par piecerate simulate, calibrés sur des études publiées, pour les démonstrations et les tests. Ils sont signalés partout où ils apparaissent et ne sont pas des observations.",
    ppp_definition: "Les montants sont en dollars internationaux à parité de pouvoir d'achat (facteur de conversion du PIB de la Banque mondiale)\u{a0}; la référence de 7,25\u{a0}$ est de 7,25 dollars internationaux.",

    sources_heading: "Sources des tables de référence",
    minimum_sources_used: "Les salaires minimums du tableau proviennent de",
    table_source: |file| match file {
        "currencies.csv" => "Codes de devises ISO 4217 (datahub currency-codes, ODC-PDDL).",
        "countries.csv" => "Codes et noms de pays ISO 3166-1 (datahub country-codes, ODC-PDDL).",
        "usd_exchange_rates.csv" => {
            "Taux de change mensuels en dollars américains\u{a0}: séries de la Réserve fédérale publiées par FRED (datahub exchange-rates, ODC-PDDL) et Indicateurs du développement dans le monde de la Banque mondiale, PA.NUS.FCRF (CC BY 4.0)."
        }
        "minimum_wages.csv" => {
            "Salaires minimums légaux, une ligne par changement, chacune avec sa pièce justificative et sa source (les jeux de sources vérifiés du projet)."
        }
        "ppp_factors.csv" => {
            "Facteurs de conversion à parité de pouvoir d'achat du PIB, Indicateurs du développement dans le monde de la Banque mondiale, PA.NUS.PPP (CC BY 4.0)."
        }
        _ => "Voir les sources des données de référence du projet.",
    },
    table_facts: |rows, latest, sha| format!("{rows} lignes, dernière période {latest}, SHA-256 {sha}"),

    provenance_heading: "Provenance",
    generated_at: "Produit le",
    made_by: "Produit par",
    commit_unknown: "commit inconnu",
    parameters: "Paramètres",
    period_label: "Période",
    inputs_label: "Fichiers lus",
    input_facts: |records, bad, bytes| {
        format!("{records} relevés comptés, {bad} lignes invalides ignorées, {bytes} octets")
    },
    repeated_records: |n| format!("{n} relevés répétés (même record_id) comptés une fois"),
    observatory_source: |n| {
        format!(
            "Les chiffres publiés par l'observatoire, à partir des totaux de {n} installations de travailleurs\u{a0}; seuls les groupes qui passent le contrôle de la divulgation sont montrés."
        )
    },
    as_of: "Pour citer\u{a0}: au",
    as_of_note: "le dernier instantané de l'observatoire, dont ces chiffres sont tirés",
};
