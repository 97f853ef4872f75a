import CairnCore

/// Two unrelated pipeline files (neither extends the other) that declare the same output path
/// overwrite each other's committed outputs. Before a session runs anything, every output of a unit it would run is looked up
/// among the outputs other pipeline files' runs in the workspace committed (``ResultCache``);
/// one committed there under another key is refused, unless the user says it is intended
/// (`--allow-shared-outputs`). The same key is the same result: reusing it is not a conflict.
enum SharedOutputs {
    /// The first conflict among the units `runs` selects (by index), as a pipeline error naming
    /// both files, lines and the path.
    static func conflict(plan: Plan, runs: (Int) -> Bool, root: String, cache: ResultCache) -> PipelineError? {
        guard cache.hasClaims else { return nil }
        for unit in plan.units where !unit.outputs.isEmpty && runs(unit.index) {
            let step = plan.pipeline.steps[unit.step]
            for (output, path) in zip(step.outputs, unit.outputs) {
                guard let claim = cache.claim(of: ResultCache.absolute(path, root: root)), claim.key != unit.key else { continue }
                let declaration = "steps.\(step.name).outputs.\(output.name)"
                let other = claim.line.map { "\(claim.file):\($0)" } ?? claim.file
                return plan.pipeline.error(
                    at: declaration,
                    "\(path) (\(plan.label(of: unit))) is also an output of \(other) (\(claim.declaration)), committed by run \(claim.run) for other inputs; running would overwrite it. Give one of them another path, or pass --allow-shared-outputs if that is intended")
            }
        }
        return nil
    }
}
