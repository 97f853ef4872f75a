/// Quoting for `/bin/sh`: values substituted into commands are data, never code.
public enum ShellQuote {
    /// `text` unchanged when it holds only characters the shell never interprets, otherwise
    /// wrapped in single quotes (with embedded single quotes written as `'\''`).
    public static func quote(_ text: String) -> String {
        if !text.isEmpty && text.utf8.allSatisfy(isSafe) { return text }
        var out = "'"
        for c in text.unicodeScalars {
            if c == "'" { out += "'\\''" } else { out.unicodeScalars.append(c) }
        }
        out += "'"
        return out
    }

    private static func isSafe(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"),
            UInt8(ascii: "="), UInt8(ascii: "@"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: "%"):
            true
        default:
            false
        }
    }
}
