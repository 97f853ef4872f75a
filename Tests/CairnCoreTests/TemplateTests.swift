import CairnCore
import Testing

@Suite struct TemplateTests {
    func render(_ text: String, printf: Bool = false, quote: Bool = false, _ values: [String: ItemValue], positional: [ItemValue] = []) throws -> String {
        try Template(text, printf: printf).render(shellQuote: quote, positional: positional) { values[$0].map(PlaceholderValue.value) }
    }

    @Test(arguments: [
        ("{n:05d}", ItemValue.int(42), "00042"),
        ("{n:>6}", .int(42), "    42"),
        ("{n:<4}|", .int(7), "7   |"),
        ("{n:^5}", .string("ab"), " ab  "),
        ("{n:+d}", .int(3), "+3"),
        ("{n:x}", .int(255), "ff"),
        ("{n:#X}", .int(255), "0XFF"),
        ("{n:.2f}", .double(3.14159), "3.14"),
        ("{n:08.3f}", .double(-2.5), "-002.500"),
        ("{n:.1%}", .double(0.25), "25.0%"),
        ("{n:e}", .int(1234), "1.234000e+03"),
        ("{n}", .double(0.1), "0.1"),
        ("{n}", .double(1e-05), "1e-05"),
        ("{n:.3}", .string("abcdef"), "abc"),
        ("{n:*>5}", .string("x"), "****x"),
    ])
    func pythonFormatSpecs(template: String, value: ItemValue, expected: String) throws {
        #expect(try render(template, ["n": value]) == expected)
    }

    @Test func printfConversionsBindToAxesInOrder() throws {
        #expect(try render("s_%05d/%s.png", printf: true, [:], positional: [.int(7), .string("a")]) == "s_00007/a.png")
        #expect(try render("%-4d|%3s|%%", printf: true, [:], positional: [.int(7), .string("a")]) == "7   |  a|%")
    }

    @Test func percentIsLiteralInCommands() throws {
        #expect(try render("date +%s; echo {n}", ["n": .int(1)]) == "date +%s; echo 1")
    }

    @Test func bracesThatAreNotPlaceholdersStayLiteral() throws {
        #expect(try render("awk '{ print $1 }' ${HOME} {{n}} {n}", ["n": .int(3)]) == "awk '{ print $1 }' ${HOME} {n} 3")
    }

    @Test func substitutedValuesAreShellQuoted() throws {
        let hostile = "$(touch pwned); rm -rf / 'x' \"y\" `z`\nnext"
        let out = try render("echo {v}", quote: true, ["v": .string(hostile)])
        #expect(out == "echo '$(touch pwned); rm -rf / '\\''x'\\'' \"y\" `z`\nnext'")
        #expect(try render("echo {v}", quote: true, ["v": .string("plain/path-1.txt")]) == "echo plain/path-1.txt")
        #expect(try render("echo {v}", quote: true, ["v": .string("")]) == "echo ''")
    }

    @Test func formatErrorsSayWhatIsWrong() {
        #expect(throws: TemplateError.self) { try render("{n:d}", ["n": .string("x")]) }
        #expect(throws: TemplateError.self) { try render("{n:q}", ["n": .int(1)]) }
        #expect(throws: TemplateError.self) { try Template("100%", printf: true) }
    }

    @Test func listsItsPlaceholders() throws {
        #expect(try Template("{a} {out.x:>3} {a} {{b}}").placeholderNames == ["a", "out.x"])
    }
}
