//! Every word the collector's pages show, one catalogue per language. A catalogue is a struct,
//! so a string missing from one language is a compile error, not an English word on a French
//! page. Texts that take figures are functions of the figures already written in the language
//! (`Language::dollars` and the like).
//!
//! What stays in English on every page: an API error's own message, the methodology document,
//! and any note of a report that `piecerate_brief::note_in` does not know; the pages mark them
//! `lang="en"`. The report's notes are translated there, with the brief's.

use super::language::Language;

/// The texts of the pages in one language.
#[derive(Debug)]
pub(crate) struct Catalogue {
    // The layout of every page.
    pub site_navigation: &'static str,
    pub nav_wages: &'static str,
    pub nav_methodology: &'static str,
    pub language_switch: &'static str,
    pub demo_banner_before: &'static str,
    pub demo_banner_after: &'static str,
    pub privacy_link: &'static str,

    // The dashboard.
    pub title: &'static str,
    pub heading: &'static str,
    /// (minimum workers, workers below which wages are rounded, the rounding step)
    pub lead: fn(&str, &str, &str) -> String,
    /// (first month, last month)
    pub period: fn(&str, &str) -> String,
    pub no_period: &'static str,
    /// (date and time, UTC)
    pub generated: fn(&str) -> String,
    pub filters: &'static str,
    pub hours_counted: &'static str,
    pub method_all: &'static str,
    pub method_task: &'static str,
    pub method_paid: &'static str,
    pub explanation_all: &'static str,
    pub explanation_task: &'static str,
    pub explanation_paid: &'static str,
    pub how_computed: &'static str,
    pub month_filter: &'static str,
    pub all_months: &'static str,
    pub platform_filter: &'static str,
    pub all_platforms: &'static str,
    /// (what is shown: a month, a platform, or both)
    pub showing: fn(&str) -> String,
    pub nothing_for_this_choice: &'static str,
    pub no_records: &'static str,

    pub spread_heading: &'static str,
    pub spread_title: &'static str,
    pub spread_caption: &'static str,
    pub percentile_10: &'static str,
    pub percentile_25: &'static str,
    pub percentile_75: &'static str,
    pub percentile_90: &'static str,
    /// (the amount)
    pub reference_line: fn(&str) -> String,
    /// (a count)
    pub workers: fn(&str) -> String,

    pub trend_heading: &'static str,
    pub trend_intro: &'static str,
    /// (the platform)
    pub trend_title: fn(&str) -> String,
    pub trend_figures: &'static str,
    /// (the platform)
    pub trend_caption: fn(&str) -> String,
    pub trend_one_month: &'static str,

    pub table_heading: &'static str,
    pub table_caption: &'static str,
    pub column_platform_country: &'static str,
    pub column_platform: &'static str,
    pub column_month: &'static str,
    pub column_workers: &'static str,
    pub column_median: &'static str,
    pub column_interval: &'static str,
    pub column_mean: &'static str,
    pub column_below_local: &'static str,
    pub column_below_reference: &'static str,
    pub country_not_given: &'static str,
    /// (the suppression threshold)
    pub fewer_than: fn(&str) -> String,
    pub suppressed_small: &'static str,
    pub suppressed_complementary: &'static str,
    pub not_published: &'static str,

    pub thresholds_heading: &'static str,
    pub thresholds_intro: &'static str,
    pub column_country: &'static str,
    pub column_minimum: &'static str,
    pub column_since: &'static str,
    pub column_source: &'static str,
    pub lowest_regional: &'static str,
    pub no_statutory_minimum: &'static str,
    pub minimum_not_known: &'static str,
    pub per_hour: &'static str,

    pub download_csv: &'static str,
    pub download_json: &'static str,
    pub api_description: &'static str,
    pub notes_heading: &'static str,
    pub about_heading: &'static str,
    /// (the minimum hours)
    pub about: fn(&str) -> String,

    // The methodology page.
    pub methodology_title: &'static str,
    pub methodology_in_english: &'static str,

    // The error pages.
    pub error_bad_request: &'static str,
    pub error_not_found: &'static str,
    pub error_method: &'static str,
    pub error_other: &'static str,
    pub error_what: &'static str,
    pub error_back: &'static str,

    // The privacy policy.
    pub privacy_title: &'static str,
    pub privacy_no_contact: &'static str,

    /// The snapshot pages and the "as of" line of the pages that cite one.
    pub snapshots: SnapshotTexts,
}

/// The texts of the snapshot pages (`/snapshots`, `/snapshots/YYYY-MM-DD`) and of the line by
/// which a page cites the snapshot its figures are.
#[derive(Debug)]
pub(crate) struct SnapshotTexts {
    pub list_title: &'static str,
    pub list_heading: &'static str,
    /// Before the example command, which the page shows as code.
    pub list_lead: &'static str,
    pub list_empty: &'static str,
    /// (the interval in days)
    pub list_caption: fn(u32) -> String,
    pub column_date: &'static str,
    pub column_published_at: &'static str,
    pub back_to_current: &'static str,
    pub list_as_json: &'static str,

    /// (the day)
    pub title: fn(&str) -> String,
    /// (the day)
    pub heading: fn(&str) -> String,
    /// (the day)
    pub lead: fn(&str) -> String,
    /// (the day, the hash's first twelve digits)
    pub citation: fn(&str, &str) -> String,
    pub published_at: &'static str,
    pub sha256: &'static str,
    pub check: &'static str,
    pub download: &'static str,
    pub and_run: &'static str,
    pub hashes_equal: &'static str,
    pub previous: &'static str,
    pub held_label: &'static str,
    /// (the cells kept, the minimum of workers changed)
    pub held: fn(&str, &str) -> String,
    pub table_heading: &'static str,
    pub table_caption: &'static str,
    pub nothing_published: &'static str,
    pub every_snapshot: &'static str,
    pub current_figures: &'static str,

    pub cite_as_of: &'static str,
    /// After the hash, before the link to every snapshot.
    pub cite_figures_are: &'static str,
    pub cite_none_before: &'static str,
}

impl Catalogue {
    pub(crate) fn of(language: Language) -> &'static Catalogue {
        match language {
            Language::English => &ENGLISH,
            Language::French => &FRENCH,
        }
    }

    /// The heading of an error page for a status.
    pub(crate) fn error_heading(&self, status: u16) -> &'static str {
        match status {
            400 => self.error_bad_request,
            404 => self.error_not_found,
            405 => self.error_method,
            _ => self.error_other,
        }
    }
}

static ENGLISH: Catalogue = Catalogue {
    site_navigation: "Site",
    nav_wages: "Wages",
    nav_methodology: "Methodology",
    language_switch: "Language",
    demo_banner_before: "synthetic demonstration data: this observatory is running in demonstration mode. Every figure below comes from",
    demo_banner_after: ", not from real workers.",
    privacy_link: "Privacy policy",

    title: "piecerate: effective hourly wages of microtask workers",
    heading: "Effective hourly wages on microtask platforms",
    lead: |k, exact, step| {
        format!(
            "What click workers earn per hour of work, including the unpaid time platforms do not count, pooled from workers who record their own work with the piecerate browser extension. No figure is shown for a group of fewer than {k} workers, nor for a group whose figures would let a smaller one's be worked out by subtraction; groups of fewer than {exact} workers show their wages rounded to {step}."
        )
    },
    period: |first, last| format!("Data from {first} to {last}"),
    no_period: "No data yet",
    generated: |at| format!("figures computed {at} UTC"),
    filters: "Filters",
    hours_counted: "Hours counted:",
    method_all: "all time",
    method_task: "task time",
    method_paid: "paid time only",
    explanation_all: "Counts every minute workers recorded: tasks that paid, tasks that ended unpaid (returned, rejected, abandoned or screened out), and unpaid work between tasks such as searching for work and taking unpaid qualification tests. This is the headline figure: what workers actually earn for each hour they give to the platform.",
    explanation_task: "Counts the time of every task, paid or not, but leaves out the unpaid work between tasks, such as searching for work. It shows what rejections and returned tasks cost workers, but not what searching costs them.",
    explanation_paid: "Counts only the time spent on tasks that paid. This is closest to the rate platforms advertise and is always the highest of the three figures; the distance to \u{201c}all time\u{201d} is the unpaid work.",
    how_computed: "How these figures are computed",
    month_filter: "Month:",
    all_months: "all months",
    platform_filter: "Platform:",
    all_platforms: "all platforms",
    showing: |what| format!("Showing {what}."),
    nothing_for_this_choice: "No group has records for this choice.",
    no_records: "No records yet.",

    spread_heading: "Spread per platform",
    spread_title: "Effective hourly wage per platform, US dollars: 10th, 25th, 50th, 75th and 90th percentile of workers",
    spread_caption: "The chart's figures: effective hourly wage per worker, US dollars.",
    percentile_10: "10th percentile",
    percentile_25: "25th percentile",
    percentile_75: "75th percentile",
    percentile_90: "90th percentile",
    reference_line: |amount| format!("US federal minimum {amount}/h"),
    workers: |count| format!("{count} workers"),

    trend_heading: "Monthly trend per platform",
    trend_intro: "The median effective hourly wage of each month, with its 95% interval as a band. A month without a published figure leaves a gap.",
    trend_title: |platform| {
        format!("Median effective hourly wage per month on {platform}, US dollars, with its 95% interval")
    },
    trend_figures: "The figures of this chart",
    trend_caption: |platform| format!("{platform}: median effective hourly wage per month, US dollars"),
    trend_one_month: "One month of data: no trend yet.",

    table_heading: "By platform and country",
    table_caption: "Effective hourly wage per worker, US dollars. Each worker counts once per group; the interval is a 95% confidence interval of the median.",
    column_platform_country: "Platform and country",
    column_platform: "Platform",
    column_month: "Month",
    column_workers: "Workers",
    column_median: "Median",
    column_interval: "95% interval",
    column_mean: "Mean",
    column_below_local: "Below local minimum wage",
    column_below_reference: "Below US $7.25",
    country_not_given: "country not given",
    fewer_than: |k| format!("fewer than {k}"),
    suppressed_small: "suppressed: too few workers to publish without pointing at individuals",
    suppressed_complementary: "suppressed: published, it would let a smaller group's figures be worked out by subtraction from other published figures",
    not_published: "not published",

    thresholds_heading: "Local minimum wage per country",
    thresholds_intro: "The statutory minimum wage each country's workers were compared with, in local currency: the latest in force during their counted time.",
    column_country: "Country",
    column_minimum: "Minimum wage",
    column_since: "In force since",
    column_source: "Source",
    lowest_regional: "lowest regional rate",
    no_statutory_minimum: "no statutory minimum",
    minimum_not_known: "not known",
    per_hour: "/h",

    download_csv: "Download this table as CSV",
    download_json: "the same as JSON",
    api_description: "API description",
    notes_heading: "Notes",
    about_heading: "About these figures",
    about: |hours| {
        format!(
            "Local minimum wages are the statutory ones in force in each month of the workers' counted time, in local currency, from the dated table shipped with the analysis library (its sources are listed in the methodology); exchange rates likewise. Workers with less than {hours} hours in a group are left out of it."
        )
    },

    methodology_title: "piecerate: methodology",
    methodology_in_english: "",

    error_bad_request: "This address asks for something the observatory does not publish",
    error_not_found: "Page not found",
    error_method: "This address does not take this kind of request",
    error_other: "The observatory could not answer",
    error_what: "What was wrong:",
    error_back: "Back to the wages",

    privacy_title: "piecerate: privacy policy",
    privacy_no_contact: "this collector's operator has not given one",
    snapshots: SnapshotTexts {
        list_title: "piecerate: citable snapshots",
        list_heading: "Citable snapshots",
        list_lead: "Each snapshot is the observatory's published figures as they stood on one day (UTC), kept unchanged for ever, so that a figure quoted in a report, a submission or a ruling can be checked by anyone later. Cite a snapshot by its date and its SHA-256: the hash of its JSON file as downloaded",
        list_empty: "No snapshot has been published yet; the first is taken when the collector starts.",
        list_caption: |days| format!("Snapshots, the latest first; one every {days} day(s)."),
        column_date: "Date",
        column_published_at: "Published at",
        back_to_current: "Back to the current figures",
        list_as_json: "this list as JSON",
        title: |day| format!("piecerate: snapshot of {day}"),
        heading: |day| format!("Snapshot of {day}"),
        lead: |day| {
            format!(
                "The observatory's published figures as they stood on {day} (UTC). This snapshot never changes: cite it as"
            )
        },
        citation: |day, hash| format!("piecerate observatory, snapshot of {day}, SHA-256 {hash}"),
        published_at: "Published at",
        sha256: "SHA-256 of the JSON document",
        check: "Check it",
        download: "Download",
        and_run: "and run",
        hashes_equal: "; the two hashes must be equal.",
        previous: "Previous snapshot",
        held_label: "Cells as in the previous snapshot",
        held: |held, k| {
            format!(
                "{held} platform × country × month cell(s) in which fewer than {k} workers' figures changed keep their previous figures, and every group whose workers did not change keeps the previous snapshot's decision to publish or withhold it, so that two snapshots cannot be subtracted to reveal one worker or a withheld group"
            )
        },
        table_heading: "All time counted, by platform and country",
        table_caption: "Effective hourly wage per worker, US dollars; the interval is a 95% confidence interval of the median. The JSON document holds every grouping and method.",
        nothing_published: "No published cell on this day.",
        every_snapshot: "Every snapshot",
        current_figures: "The current figures",
        cite_as_of: "To cite: as of",
        cite_figures_are: "(the figures above are this snapshot's; uploads reach them with the next one,",
        cite_none_before: "No snapshot has been published yet, so no figure either: the figures shown are those of the latest snapshot",
    },
};

static FRENCH: Catalogue = Catalogue {
    site_navigation: "Site",
    nav_wages: "Salaires",
    nav_methodology: "Méthodologie",
    language_switch: "Langue",
    demo_banner_before: "données de démonstration synthétiques : cet observatoire fonctionne en mode démonstration. Tous les chiffres ci-dessous viennent de",
    demo_banner_after: ", pas de vrais travailleurs.",
    privacy_link: "Politique de confidentialité",

    title: "piecerate : salaires horaires effectifs des micro-travailleurs",
    heading: "Salaires horaires effectifs sur les plateformes de micro-travail",
    lead: |k, exact, step| {
        format!(
            "Ce que gagnent les travailleurs du clic par heure de travail, temps non payé compris, que les plateformes ne comptent pas ; mis en commun à partir de travailleurs qui enregistrent leur propre travail avec l'extension piecerate. Aucun chiffre n'est montré pour un groupe de moins de {k} travailleurs, ni pour un groupe dont les chiffres permettraient de calculer ceux d'un plus petit par soustraction ; les groupes de moins de {exact} travailleurs montrent leurs salaires arrondis à {step}."
        )
    },
    period: |first, last| format!("Données de {first} à {last}"),
    no_period: "Pas encore de données",
    generated: |at| format!("chiffres calculés le {at} UTC"),
    filters: "Filtres",
    hours_counted: "Heures comptées :",
    method_all: "tout le temps",
    method_task: "temps des tâches",
    method_paid: "temps payé seulement",
    explanation_all: "Compte chaque minute enregistrée : les tâches payées, les tâches restées impayées (rendues, rejetées, abandonnées ou écartées par un questionnaire de sélection) et le travail non payé entre les tâches, comme chercher du travail ou passer des tests de qualification non payés. C'est le chiffre principal : ce que les travailleurs gagnent vraiment pour chaque heure donnée à la plateforme.",
    explanation_task: "Compte le temps de toutes les tâches, payées ou non, mais pas le travail non payé entre les tâches, comme la recherche de travail. Il montre ce que coûtent aux travailleurs les rejets et les tâches rendues, mais pas ce que leur coûte la recherche.",
    explanation_paid: "Ne compte que le temps passé sur des tâches payées. C'est le plus proche du taux affiché par les plateformes, et toujours le plus élevé des trois chiffres ; l'écart avec « tout le temps » est le travail non payé.",
    how_computed: "Comment ces chiffres sont calculés",
    month_filter: "Mois :",
    all_months: "tous les mois",
    platform_filter: "Plateforme :",
    all_platforms: "toutes les plateformes",
    showing: |what| format!("Affichage : {what}."),
    nothing_for_this_choice: "Aucun groupe n'a d'enregistrements pour ce choix.",
    no_records: "Pas encore d'enregistrements.",

    spread_heading: "Dispersion par plateforme",
    spread_title: "Salaire horaire effectif par plateforme, en dollars US : 10e, 25e, 50e, 75e et 90e centile des travailleurs",
    spread_caption: "Les chiffres du graphique : salaire horaire effectif par travailleur, en dollars US.",
    percentile_10: "10e centile",
    percentile_25: "25e centile",
    percentile_75: "75e centile",
    percentile_90: "90e centile",
    reference_line: |amount| format!("minimum fédéral des États-Unis {amount}/h"),
    workers: |count| format!("{count} travailleurs"),

    trend_heading: "Évolution mensuelle par plateforme",
    trend_intro: "Le salaire horaire effectif médian de chaque mois, avec son intervalle à 95 % en bande. Un mois sans chiffre publié laisse un vide.",
    trend_title: |platform| {
        format!(
            "Salaire horaire effectif médian par mois sur {platform}, en dollars US, avec son intervalle à 95 %"
        )
    },
    trend_figures: "Les chiffres de ce graphique",
    trend_caption: |platform| format!("{platform} : salaire horaire effectif médian par mois, en dollars US"),
    trend_one_month: "Un seul mois de données : pas encore d'évolution.",

    table_heading: "Par plateforme et par pays",
    table_caption: "Salaire horaire effectif par travailleur, en dollars US. Chaque travailleur compte une fois par groupe ; l'intervalle est un intervalle de confiance à 95 % de la médiane.",
    column_platform_country: "Plateforme et pays",
    column_platform: "Plateforme",
    column_month: "Mois",
    column_workers: "Travailleurs",
    column_median: "Médiane",
    column_interval: "Intervalle à 95 %",
    column_mean: "Moyenne",
    column_below_local: "Sous le salaire minimum local",
    column_below_reference: "Sous 7,25 $ US",
    country_not_given: "pays non indiqué",
    fewer_than: |k| format!("moins de {k}"),
    suppressed_small: "masqué : trop peu de travailleurs pour publier sans désigner des personnes",
    suppressed_complementary: "masqué : publié, il permettrait de calculer par soustraction les chiffres d'un plus petit groupe à partir d'autres chiffres publiés",
    not_published: "non publié",

    thresholds_heading: "Salaire minimum local par pays",
    thresholds_intro: "Le salaire minimum légal auquel les travailleurs de chaque pays ont été comparés, en monnaie locale : le dernier en vigueur pendant leur temps compté.",
    column_country: "Pays",
    column_minimum: "Salaire minimum",
    column_since: "En vigueur depuis le",
    column_source: "Source",
    lowest_regional: "taux régional le plus bas",
    no_statutory_minimum: "pas de minimum légal",
    minimum_not_known: "inconnu",
    per_hour: "/h",

    download_csv: "Télécharger ce tableau en CSV",
    download_json: "le même en JSON",
    api_description: "Description de l'API",
    notes_heading: "Notes",
    about_heading: "À propos de ces chiffres",
    about: |hours| {
        format!(
            "Les salaires minimums locaux sont les minimums légaux en vigueur chaque mois du temps compté des travailleurs, en monnaie locale, tirés de la table datée livrée avec la bibliothèque d'analyse (ses sources sont dans la méthodologie) ; de même pour les taux de change. Les travailleurs qui ont moins de {hours} heures dans un groupe n'y sont pas comptés."
        )
    },

    methodology_title: "piecerate : méthodologie",
    methodology_in_english: "Cette page n'existe qu'en anglais.",

    error_bad_request: "Cette adresse demande quelque chose que l'observatoire ne publie pas",
    error_not_found: "Page introuvable",
    error_method: "Cette adresse n'accepte pas ce type de requête",
    error_other: "L'observatoire n'a pas pu répondre",
    error_what: "Ce qui n'allait pas :",
    error_back: "Retour aux salaires",

    privacy_title: "piecerate : politique de confidentialité",
    privacy_no_contact: "l'exploitant de ce collecteur n'en a pas indiqué",
    snapshots: SnapshotTexts {
        list_title: "piecerate : instantanés citables",
        list_heading: "Instantanés citables",
        list_lead: "Chaque instantané est l'ensemble des chiffres publiés par l'observatoire tels qu'ils étaient un jour donné (UTC), conservé sans changement pour toujours, afin que chacun puisse vérifier plus tard un chiffre cité dans un rapport, un mémoire ou une décision. Citez un instantané par sa date et son SHA-256 : l'empreinte de son fichier JSON tel que téléchargé",
        list_empty: "Aucun instantané n'a encore été publié ; le premier est pris au démarrage du collecteur.",
        list_caption: |days| {
            format!("Instantanés, du plus récent au plus ancien ; un tous les {days} jour(s).")
        },
        column_date: "Date",
        column_published_at: "Publié le",
        back_to_current: "Retour aux chiffres actuels",
        list_as_json: "cette liste en JSON",
        title: |day| format!("piecerate : instantané du {day}"),
        heading: |day| format!("Instantané du {day}"),
        lead: |day| {
            format!(
                "Les chiffres publiés par l'observatoire tels qu'ils étaient le {day} (UTC). Cet instantané ne change jamais : citez-le ainsi"
            )
        },
        citation: |day, hash| format!("observatoire piecerate, instantané du {day}, SHA-256 {hash}"),
        published_at: "Publié le",
        sha256: "SHA-256 du document JSON",
        check: "Le vérifier",
        download: "Téléchargez",
        and_run: "et lancez",
        hashes_equal: " ; les deux empreintes doivent être égales.",
        previous: "Instantané précédent",
        held_label: "Groupes repris de l'instantané précédent",
        held: |held, k| {
            format!(
                "{held} groupe(s) plateforme × pays × mois où les chiffres de moins de {k} travailleurs ont changé gardent leurs chiffres précédents, et chaque groupe dont les travailleurs n'ont pas changé garde la décision de l'instantané précédent de le publier ou de le retenir, afin qu'on ne puisse pas soustraire deux instantanés pour révéler un travailleur ou un groupe retenu"
            )
        },
        table_heading: "Tout le temps compté, par plateforme et pays",
        table_caption: "Salaire horaire effectif par travailleur, en dollars américains ; l'intervalle est un intervalle de confiance à 95 % de la médiane. Le document JSON contient chaque regroupement et chaque méthode.",
        nothing_published: "Aucun groupe publié ce jour-là.",
        every_snapshot: "Tous les instantanés",
        current_figures: "Les chiffres actuels",
        cite_as_of: "Pour citer : au",
        cite_figures_are: "(les chiffres ci-dessus sont ceux de cet instantané ; les envois y arrivent avec le suivant,",
        cite_none_before: "Aucun instantané n'a encore été publié, donc aucun chiffre non plus : les chiffres affichés sont ceux du dernier instantané",
    },
};
