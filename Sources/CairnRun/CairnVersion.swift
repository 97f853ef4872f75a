/// Cairn's version, as `cairn --version` prints it and sessions journal it.
public enum CairnVersion {
    public static let current = "0.1.0"
}
