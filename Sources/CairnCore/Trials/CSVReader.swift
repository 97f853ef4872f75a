/// Reads CSV (RFC 4180: `,` separated, `"` quoted with `""` for a quote, quoted fields may hold
/// commas and line breaks), remembering each record's line and which fields were quoted.
/// Blank lines are skipped.
enum CSVReader {
    struct Field: Equatable {
        var text: String
        var quoted: Bool
    }

    struct Record {
        var line: Int
        var fields: [Field]
    }

    static func records(_ text: String) -> [Record] {
        var out: [Record] = []
        var fields: [Field] = []
        var field = ""
        var quoted = false
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }  // a byte-order mark from a spreadsheet
        var i = 0
        func endField() {
            fields.append(Field(text: quoted ? field : field.trimmingSpaces(), quoted: quoted))
            field = ""
            quoted = false
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].text.isEmpty && !fields[0].quoted) { out.append(Record(line: recordLine, fields: fields)) }
            fields = []
        }
        while i < chars.count {
            let c = chars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.trimmingSpaces().isEmpty {
                inQuotes = true
                quoted = true
                field = ""
            } else if c == "," {
                endField()
            } else if c == "\n" || c == "\r" {
                if c == "\r" && i + 1 < chars.count && chars[i + 1] == "\n" { i += 1 }
                endRecord()
                line += 1
                recordLine = line
            } else {
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if !field.isEmpty || !fields.isEmpty || quoted { endRecord() }
        return out
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
