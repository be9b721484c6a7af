import Foundation

extension JSONValue {
    /// The canonical text of member `key` of the object `bytes`, cut straight from `bytes`;
    /// `nil` when `bytes` is not an object, lacks the member, or the member is not written
    /// exactly as ``canonicalBytes`` would write it. `bytes` must be JSON that ``parse(_:)``
    /// accepts (number grammar is not checked again).
    ///
    /// Event payloads are stored canonical, so a projection that keeps part of one verbatim
    /// (the provider's JSON in a `raw` column) can take its bytes instead of parsing and
    /// re-serialising them: the result equals `parse(bytes)[key]!.canonicalString` whenever
    /// it is not `nil`, and the caller falls back to that otherwise.
    public static func canonicalMemberText(_ key: String, in bytes: UnsafeRawBufferPointer) -> String? {
        var s = CanonicalScanner(buf: bytes)
        guard let range = s.member(key) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}

/// Walks JSON text, accepting only what the canonical writer produces: no whitespace,
/// object keys in strictly ascending UTF-8 order, minimal escapes.
private struct CanonicalScanner {
    let buf: UnsafeRawBufferPointer
    var i = 0

    @inline(__always) var peek: UInt8? { i < buf.count ? buf[i] : nil }

    mutating func member(_ key: String) -> Range<Int>? {
        var wanted = key
        return wanted.withUTF8 { k -> Range<Int>? in
            var found: Range<Int>?
            let base = buf.baseAddress!
            guard peek == UInt8(ascii: "{"), object(depth: 0, onMember: { name, value in
                if name.count == k.count, memcmp(base + name.lowerBound, k.baseAddress!, k.count) == 0 { found = value }
            }), i == buf.count else { return nil }
            return found
        }
    }

    mutating func value(depth: Int) -> Bool {
        guard depth < 512, let c = peek else { return false }
        switch c {
        case UInt8(ascii: "{"): return object(depth: depth, onMember: { _, _ in })
        case UInt8(ascii: "["):
            i += 1
            if peek == UInt8(ascii: "]") { i += 1; return true }
            while true {
                guard value(depth: depth + 1), let d = peek else { return false }
                i += 1
                if d == UInt8(ascii: "]") { return true }
                guard d == UInt8(ascii: ",") else { return false }
            }
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            // Numbers are kept as written; the parser already checked their grammar.
            while let c = peek, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || (c >= 48 && c <= 57) { i += 1 }
            return true
        default: return false
        }
    }

    /// An object at `i`, its keys in strict order (so none repeats: the parser keeps the
    /// last), reporting each member's key and value ranges.
    mutating func object(depth: Int, onMember: (Range<Int>, Range<Int>) -> Void) -> Bool {
        i += 1
        if peek == UInt8(ascii: "}") { i += 1; return true }
        var previous: Range<Int>?
        while true {
            guard let name = string() else { return false }
            if let p = previous, !precedes(p, name) { return false }
            previous = name
            guard peek == UInt8(ascii: ":") else { return false }
            i += 1
            let start = i
            guard value(depth: depth + 1), let d = peek else { return false }
            onMember(name, start..<i)
            i += 1
            if d == UInt8(ascii: "}") { return true }
            guard d == UInt8(ascii: ",") else { return false }
        }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= buf.count, memcmp(buf.baseAddress! + i, word.utf8Start, n) == 0 else { return false }
        i += n
        return true
    }

    /// A string's contents (between the quotes), if escaped exactly as the writer escapes.
    mutating func string() -> Range<Int>? {
        guard peek == UInt8(ascii: "\"") else { return nil }
        i += 1
        let start = i
        while i < buf.count {
            let c = buf[i]
            if c == UInt8(ascii: "\"") { i += 1; return start..<(i - 1) }
            if c < 0x20 { return nil }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < buf.count else { return nil }
                switch buf[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"), UInt8(ascii: "b"), UInt8(ascii: "f"):
                    i += 2
                case UInt8(ascii: "u"):
                    // Only control characters without a short escape are written as \u00XX.
                    guard i + 5 < buf.count, buf[i + 2] == 48, buf[i + 3] == 48, let h = lowerHex(buf[i + 4]), let l = lowerHex(buf[i + 5]) else { return nil }
                    let scalar = h << 4 | l
                    guard scalar < 0x20, ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(scalar) else { return nil }
                    i += 6
                default: return nil
                }
                continue
            }
            i += 1
        }
        return nil
    }

    func lowerHex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        default: return nil
        }
    }

    /// Whether the key at `a` sorts strictly before the key at `b` by UTF-8 bytes. Keys with
    /// escapes are not compared (their order is that of the unescaped text): the caller
    /// falls back to parsing.
    func precedes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        let base = buf.baseAddress!
        if memchr(base + a.lowerBound, 0x5C, a.count) != nil || memchr(base + b.lowerBound, 0x5C, b.count) != nil { return false }
        let n = min(a.count, b.count)
        let c = n == 0 ? 0 : memcmp(base + a.lowerBound, base + b.lowerBound, n)
        return c != 0 ? c < 0 : a.count < b.count
    }
}
