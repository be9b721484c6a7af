import Foundation

extension JSONValue {
    /// The path of the first string (or object key) holding a NUL character (U+0000), or nil.
    ///
    /// JSON admits `"\u0000"`, but PostgreSQL's `text` and `jsonb` refuse it, so a payload
    /// holding one can never be stored in a projection's tables as sent.
    public func pathOfNUL() -> String? {
        switch self {
        case .string(let s): return s.utf8.contains(0) ? "" : nil
        case .array(let a):
            for (i, v) in a.enumerated() { if let p = v.pathOfNUL() { return "[\(i)]" + p } }
            return nil
        case .object(let o):
            for k in o.keys.sorted() {
                if k.utf8.contains(0) { return "." + k.replacingOccurrences(of: "\u{0}", with: "\\u0000") }
                if let p = o[k]?.pathOfNUL() { return "." + k + p }
            }
            return nil
        default: return nil
        }
    }

    /// "holds a NUL character (U+0000) at <path>" when ``pathOfNUL()`` finds one, else nil:
    /// the one wording of this refusal, for extractors and projections alike.
    public func nulProblem() -> String? {
        pathOfNUL().map { "holds a NUL character (U+0000) at \($0.isEmpty ? "its root" : String($0.drop(while: { $0 == "." })))" }
    }

    /// Whether JSON text may hold an escaped NUL (`\u0000`): a quick scan of the bytes that
    /// lets the common case skip ``pathOfNUL()``. False means it certainly holds none.
    public static func mayContainEscapedNUL(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        guard n >= 6 else { return false }
        var i = 0
        // Backslashes are rare outside escapes, so this is one pass of compares.
        while i <= n - 6 {
            if bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u"), bytes[i + 2] == UInt8(ascii: "0"),
               bytes[i + 3] == UInt8(ascii: "0"), bytes[i + 4] == UInt8(ascii: "0"), bytes[i + 5] == UInt8(ascii: "0") {
                return true
            }
            i += 1
        }
        return false
    }
}
