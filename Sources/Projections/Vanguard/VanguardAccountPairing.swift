import Foundation

/// Which session sub-account an export's account block is, decided by the names Vanguard
/// writes: the block's title is `<person> - <account>` (`Jane Doe - Stocks & Shares ISA`),
/// a sub-account has a preferred name (`Stocks & Shares ISA`, sometimes with the person) and
/// a wrapper.
///
/// A block pairs with a sub-account of the same wrapper whose name is the block's title,
/// or is its account part while naming no other person. Only a single candidate decides:
/// two people's ISAs named alike under one login stay apart until a person maps them
/// (`finsync connect vanguard --map`).
public enum VanguardAccountPairing {
    public struct SubAccount: Sendable, Equatable {
        public var hierarchyID: String
        public var name: String
        public var wrapper: String

        public init(hierarchyID: String, name: String, wrapper: String) {
            self.hierarchyID = hierarchyID
            self.name = name
            self.wrapper = wrapper
        }
    }

    /// The sub-account `title` is, or nil when none or several could be.
    public static func match(title: String, among subAccounts: [SubAccount]) -> SubAccount? {
        let wrapper = VanguardWrapper.code(forName: title)
        guard wrapper != "UNKNOWN" else { return nil }
        let (person, account) = parts(title)
        let candidates = subAccounts.filter { sub in
            guard sub.wrapper == wrapper else { return false }
            let (subPerson, subAccount) = parts(sub.name)
            if normalised(sub.name) == normalised(title) { return true }
            return subAccount == account && (subPerson == nil || subPerson == person)
        }
        return candidates.count == 1 ? candidates[0] : nil
    }

    /// `Jane Doe - Stocks & Shares ISA` → (`jane doe`, `stocks & shares isa`); a name without
    /// ` - ` is all account.
    static func parts(_ name: String) -> (person: String?, account: String) {
        let n = normalised(name)
        guard let r = n.range(of: " - ", options: .backwards) else { return (nil, n) }
        return (String(n[..<r.lowerBound]), String(n[r.upperBound...]))
    }

    static func normalised(_ s: String) -> String {
        s.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}
