//! The report's notes in the reader's language. The analysis library writes its notes in
//! English (they are part of the report's JSON, a public format); the pages and the brief show
//! them in French by recognising each one the library writes: a fixed sentence is matched
//! whole, and a sentence with a count is matched by writing the English again from the count
//! read in it, so a note whose wording changed is never mistranslated, only left in English
//! (and a test fails).

use std::borrow::Cow;

use crate::Language;

/// The fixed notes of `analysis::report`, in English and French.
const FIXED: [(&str, &str); 5] = [
    (
        "Some cells contain synthetic workers made by `piecerate simulate`; their figures are not observations.",
        "Certains groupes contiennent des travailleurs synthétiques créés par `piecerate simulate` ; leurs chiffres ne sont pas des observations.",
    ),
    (
        "Some cells contain workers imported from requester-side exports, whose times are wall times from accept to submit, including time the task sat in the worker's queue: their wages are lower bounds.",
        "Certains groupes contiennent des travailleurs importés d'exports côté demandeur, dont les durées vont de l'acceptation à la remise, y compris le temps où la tâche attendait dans la file du travailleur : leurs salaires sont des bornes inférieures.",
    ),
    (
        "A worker is below the local minimum wage when their earnings are less than what the statutory minimum in force in each month of their counted time (on its first day) would have paid for those hours; workers whose minimum is not known for all their counted time are left out of that share.",
        "Un travailleur est sous le salaire minimum local quand ses gains sont inférieurs à ce que le minimum légal en vigueur chaque mois de son temps compté (au premier jour du mois) aurait payé pour ces heures ; les travailleurs dont le minimum n'est pas connu pour tout leur temps compté sont exclus de cette part.",
    ),
    (
        "Where a country sets minimum wages only per region (Canada), its workers are compared with the lowest regional rate, so their share below the local minimum is a lower bound.",
        "Là où un pays ne fixe de salaires minimums que par région (Canada), ses travailleurs sont comparés au plus bas taux régional : leur part sous le minimum local est donc une borne inférieure.",
    ),
    (
        "Money is in international dollars at purchasing-power parity (World Bank PPP conversion factor, GDP; the latest published year is used for later years): the fields named *_usd hold international dollars, and the $7.25 reference is 7.25 international dollars.",
        "Les montants sont en dollars internationaux à parité de pouvoir d'achat (facteur de conversion PPA de la Banque mondiale, PIB ; la dernière année publiée sert pour les années suivantes) : les champs nommés *_usd contiennent des dollars internationaux, et la référence de 7,25 $ vaut 7,25 dollars internationaux.",
    ),
];

/// The collector's notice on demonstration data, before its own note.
const DEMO: (&str, &str) = (
    "synthetic demonstration data: every figure here comes from `piecerate simulate`, not from workers.",
    "données de démonstration synthétiques : tous les chiffres ici viennent de `piecerate simulate`, pas de vrais travailleurs.",
);

fn plural(count: u64, one: &'static str, more: &'static str) -> &'static str {
    if count == 1 { one } else { more }
}

/// The count a note starts with, and the rest.
fn leading_count(note: &str) -> Option<(u64, &str)> {
    let digits = note.bytes().take_while(u8::is_ascii_digit).count();
    Some((note[..digits].parse().ok()?, &note[digits..]))
}

/// A note with a count, in French, when it is exactly a sentence the library writes.
fn counted(note: &str) -> Option<String> {
    let (n, _) = leading_count(note)?;
    let pairs = plural(n, "", "s");
    let unknown_minimum = format!(
        "{n} worker-cell pair{pairs} in published cells had no known minimum wage for some of their counted time (no statutory minimum, or none in the shipped sources) and {} left out of the share below the local minimum.",
        plural(n, "is", "are")
    );
    if note == unknown_minimum {
        return Some(format!(
            "{n} couple{pairs} travailleur-groupe des groupes publiés n'{} pas de salaire minimum connu pour une partie de leur temps compté (pas de minimum légal, ou aucun dans les sources livrées) et {} exclu{pairs} de la part sous le minimum local.",
            plural(n, "avait", "avaient"),
            plural(n, "est", "sont")
        ));
    }
    let unvalued = format!(
        "{n} worker-cell pair{pairs} without a country or a PPP factor for it could not be valued at purchasing-power parity and {} left out.",
        plural(n, "is", "are")
    );
    if note == unvalued {
        return Some(format!(
            "{n} couple{pairs} travailleur-groupe sans pays ou sans facteur PPA pour ce pays n'{} pas pu être évalué{pairs} à parité de pouvoir d'achat et {} exclu{pairs}.",
            plural(n, "a", "ont"),
            plural(n, "est", "sont")
        ));
    }
    // "… above {max} an hour, which no microtask pays, …": the ceiling is read from the note.
    let ceiling = note.split_once(" above ")?.1.split_once(" an hour")?.0;
    let implausible = format!(
        "{n} worker-cell pair{pairs} with an effective hourly wage above {ceiling} an hour, which no microtask pays, {} left out of the statistics as implausible.",
        plural(n, "was", "were")
    );
    (note == implausible).then(|| {
        format!(
            "{n} couple{pairs} travailleur-groupe dont le salaire horaire effectif dépasse {} de l'heure, ce qu'aucune micro-tâche ne paie, {} exclu{pairs} des statistiques comme invraisemblable{pairs}.",
            ceiling.replace('.', ","),
            plural(n, "a été", "ont été")
        )
    })
}

/// `note` in `language`, or `None` when it is not a note the library writes (it is then shown
/// as it is, in English, marked so).
pub fn note_in(note: &str, language: Language) -> Option<Cow<'_, str>> {
    if language == Language::En {
        return Some(Cow::Borrowed(note));
    }
    if let Some((_, french)) = FIXED.iter().chain([&DEMO]).find(|(english, _)| *english == note) {
        return Some(Cow::Borrowed(french));
    }
    counted(note).map(Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(english: &str, french: &str) {
        assert_eq!(note_in(english, Language::Fr).as_deref(), Some(french), "{english}");
        assert_eq!(note_in(english, Language::En).as_deref(), Some(english));
    }

    #[test]
    fn each_note_of_the_library_has_its_french() {
        for (english, french) in FIXED.iter().chain([&DEMO]) {
            check(english, french);
        }
        check(
            "1 worker-cell pair in published cells had no known minimum wage for some of their counted time (no statutory minimum, or none in the shipped sources) and is left out of the share below the local minimum.",
            "1 couple travailleur-groupe des groupes publiés n'avait pas de salaire minimum connu pour une partie de leur temps compté (pas de minimum légal, ou aucun dans les sources livrées) et est exclu de la part sous le minimum local.",
        );
        check(
            "3 worker-cell pairs with an effective hourly wage above 100 an hour, which no microtask pays, were left out of the statistics as implausible.",
            "3 couples travailleur-groupe dont le salaire horaire effectif dépasse 100 de l'heure, ce qu'aucune micro-tâche ne paie, ont été exclus des statistiques comme invraisemblables.",
        );
        check(
            "2 worker-cell pairs without a country or a PPP factor for it could not be valued at purchasing-power parity and are left out.",
            "2 couples travailleur-groupe sans pays ou sans facteur PPA pour ce pays n'ont pas pu être évalués à parité de pouvoir d'achat et sont exclus.",
        );
    }

    #[test]
    fn a_note_the_library_does_not_write_is_left_as_it_is() {
        for unknown in [
            "",
            "Some other note.",
            "3 worker-cell pairs with an effective hourly wage above 100 an hour, which no microtask pays, were left out.",
            "1 worker-cell pairs without a country or a PPP factor for it could not be valued at purchasing-power parity and are left out.",
            "99999999999999999999999 worker-cell pairs",
        ] {
            assert_eq!(note_in(unknown, Language::Fr), None, "{unknown}");
        }
    }

    /// The notes a real report writes (synthetic workers, the minimum wage, implausible wages)
    /// are all recognised: a change of wording in the library fails here.
    #[test]
    fn the_notes_of_a_report_of_simulated_records_are_all_in_french() {
        use analysis::simulate::{Simulation, SimulationOptions};
        use analysis::{ReportBuilder, ReportOptions};
        let mut builder = ReportBuilder::new(ReportOptions::default());
        for record in Simulation::new(SimulationOptions { workers: 60, seed: 7 }) {
            builder.add(&record);
        }
        let report = builder.finish();
        assert!(report.notes.len() >= 2, "{:?}", report.notes);
        for note in &report.notes {
            assert!(note_in(note, Language::Fr).is_some(), "no French for: {note}");
        }
        let implausible = analysis::report::DEFAULT_MAX_HOURLY_USD;
        let note = format!(
            "2 worker-cell pairs with an effective hourly wage above {implausible} an hour, which no microtask pays, were left out of the statistics as implausible."
        );
        assert!(note_in(&note, Language::Fr).is_some(), "{note}");
    }
}
