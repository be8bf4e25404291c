//! Crediting the time between two events: to the tab the worker is on (input up to the idle
//! cutoff, or the focus inside a task's frame), the rest to the newest running off-site task.

use analysis::Platform;

use super::{FRAME_FOCUS_GRACE_MS, Millis, Place, Stretch, Tracker};

impl Tracker {
    /// Credits the time from the last event to `now` (see the module documentation).
    pub(super) fn advance(&mut self, now: Millis) {
        let from = match self.clock {
            Some(clock) if now > clock => clock,
            Some(_) => return,
            None => {
                self.clock = Some(now);
                return;
            }
        };
        self.clock = Some(now);
        let mut credited = 0;
        let on_platform =
            self.current.and_then(|id| self.tabs.get(&id)).filter(|tab| tab.focused && tab.visible);
        if let Some(tab) = on_platform {
            // Input earns the idle cutoff after it; on a task page, the focus inside the task's
            // frame earns the time until the page says it left (or its reports stop).
            let after_input = tab.last_input.map(|input| input + self.settings.idle_cutoff_ms);
            let in_frame = match (&tab.place, tab.frame_focus) {
                (Place::Task { .. } | Place::Working { .. }, Some(reported)) => {
                    Some(reported + FRAME_FOCUS_GRACE_MS)
                }
                _ => None,
            };
            let until = now.min(after_input.max(in_frame).unwrap_or(from));
            if until > from {
                credited = match tab.place.clone() {
                    Place::Search { platform } => credit_stretch(&mut self.searches, platform, from, until),
                    Place::Working { platform } => credit_stretch(&mut self.works, platform, from, until),
                    Place::Task { key } => self.credit_task(&key, from, until),
                    Place::Elsewhere => 0,
                };
            }
        }
        // Whatever no platform page earned goes to the newest off-site task running then.
        let rest = now - from - credited;
        if rest > 0
            && let Some(task) = self.tasks.iter_mut().rev().find(|task| task.off_site && task.started < now)
        {
            let window = now.min(task.deadline) - from.max(task.started);
            task.active_ms += rest.min(window.max(0));
        }
    }

    fn credit_task(&mut self, key: &str, from: Millis, until: Millis) -> Millis {
        let Some(task) = self.tasks.iter_mut().find(|task| task.key == key) else { return 0 };
        let span = until.min(task.deadline) - from.max(task.started);
        if span <= 0 {
            return 0;
        }
        task.active_ms += span;
        span
    }
}

/// Credits `from..until` to the platform's open stretch in `stretches`, opening one if none is.
fn credit_stretch(stretches: &mut Vec<Stretch>, platform: Platform, from: Millis, until: Millis) -> Millis {
    match stretches.iter_mut().find(|stretch| stretch.platform == platform) {
        Some(stretch) => {
            stretch.active_ms += until - from;
            stretch.last = until;
        }
        None => stretches.push(Stretch { platform, first: from, last: until, active_ms: until - from }),
    }
    until - from
}
