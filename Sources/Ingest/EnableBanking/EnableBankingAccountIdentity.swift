import CanonicalJSON
import Projections

/// Gives each account of a new session its finsync key, so one bank account stays one
/// account across re-authorisations (its `uid` changes every time):
/// 1. an account already linked with the same `identification_hash` (any of
///    `identification_hashes`) keeps that key;
/// 2. else one with the same IBAN keeps it;
/// 3. else a new key, derived from the identification hash (else IBAN, else uid), so the
///    same account linked anew in an empty database gets the same key again.
public enum EnableBankingAccountIdentity {
    public static func assign(_ resources: [JSONValue], known: [EnableBankingLink.Account]) -> [EnableBankingLink.Account] {
        var taken = Set<String>()
        return resources.map { r in
            let hashes = Set(([r["identification_hash"]?.string] + (r["identification_hashes"]?.array ?? []).map(\.string)).compactMap { $0 }.filter { !$0.isEmpty })
            let iban = r["account_id"]?["iban"]?.string.map(normalise).flatMap { $0.isEmpty ? nil : $0 }
            let uid = r["uid"]?.string
            let byHash = known.first { k in !taken.contains(k.key) && k.identificationHash.map { hashes.contains($0) } == true }
            let byIBAN = iban.flatMap { i in known.first { !taken.contains($0.key) && $0.iban.map(normalise) == i } }
            let seed = r["identification_hash"]?.string ?? iban ?? uid ?? r.canonicalString
            var key = (byHash ?? byIBAN)?.key ?? DeterministicID.string("enablebanking", "account", seed)
            if taken.contains(key) { key = DeterministicID.string("enablebanking", "account", seed, uid ?? r.canonicalString) }
            taken.insert(key)
            return EnableBankingLink.Account(key: key, uid: uid, identificationHash: r["identification_hash"]?.string, iban: iban, resource: r)
        }
    }

    static func normalise(_ iban: String) -> String { iban.filter { !$0.isWhitespace }.uppercased() }
}
