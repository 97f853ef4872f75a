import CairnCore
import CairnRun
import Foundation

/// The soak test's pipeline: three steps over `items` items, each output derived from the
/// unit's seed and written in two parts with a pause between (so kills land mid-write), and
/// every attempt appending its unit key to `side.log` (so re-executions are countable).
struct SoakPipeline {
    let folder: String
    let items: Int
    let token: String

    var text: String {
        """
        name: soak
        seed: \(abs(token.hashValueStable) % 100_000)
        items: {i: {range: [0, \(items)]}}
        steps:
          - name: gen
            retries: 1
            retry_backoff: 0
            run: ': \(token); echo "$CAIRN_UNIT_KEY" >> side.log; printf "gen %s " {seed} > {out.o}; sleep 0.005; printf "%s\\n" {i} >> {out.o}'
            outputs: {o: 'out/gen/{i:04d}.txt'}
          - name: sq
            run: ': \(token); echo "$CAIRN_UNIT_KEY" >> side.log; v=$(cat {in.x}); printf "sq %s|" "$v" > {out.o}; sleep 0.003; printf "%s\\n" {seed} >> {out.o}'
            inputs: {x: {from: gen.o}}
            outputs: {o: 'out/sq/{i:04d}.txt'}
          - name: total
            foreach: once
            run: ': \(token); echo "$CAIRN_UNIT_KEY" >> side.log; cat {in.x} | wc -l > {out.o}'
            inputs: {x: {from: sq.o}}
            outputs: {o: out/total.txt}
        """
    }

    /// The exact content every output must have.
    func expected(_ plan: Plan) -> [(path: String, content: String)] {
        plan.units.map { unit in
            let step = plan.step(of: unit).name
            let i = unit.item ?? 0
            switch step {
            case "gen": return (unit.outputs[0], "gen \(unit.seed) \(i)\n")
            case "sq": return (unit.outputs[0], "sq gen \(plan.units[unit.needs[0]].seed) \(i)|\(unit.seed)\n")
            default: return (unit.outputs[0], "\(plan.items.count)\n")
            }
        }
    }
}

extension String {
    /// A stable (per string, across processes) small number.
    var hashValueStable: Int {
        Int(Digest(of: self).hex.prefix(8), radix: 16) ?? 0
    }
}
