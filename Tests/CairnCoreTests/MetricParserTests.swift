import CairnCore
import Testing

@Suite struct MetricParserTests {
    @Test func logLinesGiveTheLastValueOfEachName() {
        let text: Substring = """
            epoch: 1
            loss: 0.5
            step=10 acc=0.25, lr=1e-3; note=text
              val_loss:   0.75
            loss: 0.25
            http://example: not a metric
            ratio: nan
            """
        let metrics = MetricParser.log(text)
        #expect(metrics == [Metric(name: "epoch", value: 1), Metric(name: "loss", value: 0.25), Metric(name: "step", value: 10),
                            Metric(name: "acc", value: 0.25), Metric(name: "lr", value: 0.001), Metric(name: "val_loss", value: 0.75)])
    }

    @Test func patternGroupsTakeTheirLastMatch() throws {
        let metrics = try MetricParser.pattern(#"loss=(?<loss>\S+) acc=(?<acc>\S+)"#, "loss=9 acc=0.1\nloss=0.5 acc=0.75\nloss=x acc=1")
        #expect(metrics == [Metric(name: "loss", value: 0.5), Metric(name: "acc", value: 1)])
        #expect(MetricParser.groupNames(#"(?<a>\d+)-(?<b_2>\d+)(?:x)(?=y)"#) == ["a", "b_2"])
        #expect(throws: MetricError.self) { try MetricParser.pattern("(?<a", "") }
    }

    @Test func jsonKeepsNumbersOnly() throws {
        let metrics = try MetricParser.json(Array(#"{"b": 2, "a": 0.5, "flag": true, "name": "x", "nested": {"c": 1}, "n": null}"#.utf8))
        #expect(metrics == [Metric(name: "a", value: 0.5), Metric(name: "b", value: 2)])
        #expect(throws: MetricError.self) { try MetricParser.json(Array("[1, 2]".utf8)) }
        #expect(throws: MetricError.self) { try MetricParser.json(Array("{broken".utf8)) }
    }
}
