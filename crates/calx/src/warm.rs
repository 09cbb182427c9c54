//! [`Project::solve_warm`]: a solve that starts its recycle loops from an earlier solve's
//! converged tears, for callers that change a value and solve again (the Python package's
//! `Flowsheet.set` then `solve`), so the second solve does not start cold.

use calx_engine::WarmStart;

use crate::analyses;
use crate::error::Error;
use crate::project::{Project, Solved};

impl Project {
    /// [`Project::solve`], with the recycle loops started from `warm` (the tears of an earlier
    /// solve of this flowsheet, or of one decoded from the same file with other values); also
    /// returns this solve's tears for the next one.
    ///
    /// A warm start taken from a flowsheet of another structure (other loops) is not used:
    /// the solve starts cold, as [`Project::solve`] does. A flowsheet with design
    /// specifications on analysis metrics or an `optimize:` section is solved by
    /// [`Project::solve`] (its loop solves the plant many times and keeps its own starts), and
    /// gives no warm start back.
    pub fn solve_warm(&self, warm: Option<&WarmStart>) -> Result<(Solved, Option<WarmStart>), Error> {
        let model = self.model();
        if !model.analysis_specs.is_empty() || model.optimize.is_some() {
            return Ok((self.solve()?, None));
        }
        let mut flowsheet = self.build().map_err(Error::Build)?;
        if let Some(w) = warm {
            // A mismatch means the loops changed: a cold start is the right start then.
            let _ = flowsheet.set_warm_start(w);
        }
        let mut result = flowsheet.solve().map_err(|e| self.locate_solve(e))?;
        self.speciate(&mut result)?;
        let analyses = analyses::run_reports(&model.analyses, &result).map_err(|f| self.locate(f))?;
        Ok((Solved { result, analyses }, Some(flowsheet.warm_start())))
    }
}
