import CairnCore
import Testing

@Suite struct TrialsFileTests {
    @Test func csvCellsAreTypedAndQuotedCellsStayStrings() throws {
        let table = try TrialsFile.parse("#,lr,name,bn\n1,1.0,\"1.0\",true\n2,1e-3,\"a, \"\"b\"\"\",false\r\n\n", file: "t.csv")
        #expect(table.columns == ["lr", "name", "bn"])
        #expect(table.rows == [[.double(1), .string("1.0"), .bool(true)], [.double(0.001), .string("a, \"b\""), .bool(false)]])
    }

    @Test func everyFormatReadsBackWhatItWrote() throws {
        let rows: [[ItemValue]] = [[.double(1), .string("1.0"), .bool(true), .int(-3), .string("yes")],
                                   [.double(-0.0), .string(" spaced "), .bool(false), .int(12), .string("ünï\n2")]]
        let table = TrialsFile(columns: ["a", "b", "c", "d", "e"], rows: rows)
        for format in ["csv", "json", "yaml"] {
            let back = try TrialsFile.parse(table.text(format: format), file: "t.\(format)")
            #expect(back == table, "\(format): \(table.text(format: format))")
        }
    }

    @Test func problemsNameTheFileLineAndColumn() {
        func message(_ text: String, _ file: String) -> String {
            do { _ = try TrialsFile.parse(text, file: file); return "" } catch { return error.description }
        }
        #expect(message("lr,bn\n0.1\n", "t.csv") == "t.csv:2: the row has 1 field(s), the header 2; column 'bn' is missing; give every column a value")
        #expect(message("lr,lr\n1,2\n", "t.csv").contains("column 'lr' appears twice"))
        #expect(message("seed,x\n1,2\n", "t.csv").contains("column 'seed' is not a usable axis name"))
        #expect(message("lr\n", "t.csv").contains("holds no trials"))
        #expect(message("- {lr: 1}\n- {bn: 2}\n", "t.yaml").contains("t.yaml:1: bn: this trial has no 'bn'"))
    }
}
