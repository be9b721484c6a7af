import EventLog
import Foundation
import Postgres
import Projections

/// Pairs the account blocks of imported exports with session sub-accounts: one account,
/// two sources. Each pairing is a `vanguard.export.linked` snapshot
/// (``VanguardExportLink``) on `vanguard/<connection>/export-link/<block title>`, so the
/// unified and analytics projections fold it like any observation and rebuilds keep it.
///
/// - ``linkByNames()`` pairs every known block that a person has not mapped with the one
///   sub-account its names decide (``VanguardAccountPairing``); `finsync import vanguard`
///   and `finsync connect vanguard --session` run it.
/// - ``map(account:to:)`` is `finsync connect vanguard --map TITLE=SUBACCOUNT`; a person's
///   pairing is never replaced by names.
///
/// Blocks are known from `ingest.vanguard_export_accounts` (``record(accounts:)``),
/// sub-accounts from the registered session files (their `sub_accounts`).
public struct VanguardExportLinker: Sendable {
    public static let eventType = EventCatalog.vanguardExportLinked.latest

    /// A block and where it stands.
    public struct Pairing: Sendable, Equatable {
        public var connection: String
        public var account: String
        /// The latest link, nil when none was ever made.
        public var link: VanguardExportLink?
    }

    let connection: PostgresConnection
    /// The export connection (the import's `--connection`).
    let exportConnection: String

    public init(connection: PostgresConnection, exportConnection: String = "vanguard") {
        self.connection = connection
        self.exportConnection = exportConnection
    }

    /// Remembers the blocks of an import.
    public func record(accounts: [String]) async throws {
        try await connection.withSession { s in
            _ = try s.query("INSERT INTO ingest.vanguard_export_accounts (connection, account) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
                            [.text(exportConnection), .textArray(accounts)])
        }
    }

    /// Every known block of this connection with its latest link.
    public func pairings() async throws -> [Pairing] {
        let accounts = try await connection.withSession { s in
            try s.query("SELECT account FROM ingest.vanguard_export_accounts WHERE connection = $1 ORDER BY account", [.text(exportConnection)]).rows.compactMap { $0.string(0) }
        }
        let log = EventLog(connection: connection)
        var out: [Pairing] = []
        for account in accounts {
            let last = try await log.readStream(VanguardExportLink.stream(connection: exportConnection, account: account)).last
            let link = last.flatMap { e in (try? e.json()).flatMap { try? VanguardExportLink(validating: $0) } }
            out.append(Pairing(connection: exportConnection, account: account, link: link))
        }
        return out
    }

    /// The sub-accounts named by every registered session file that can be read.
    public func subAccounts() async throws -> [VanguardAccountPairing.SubAccount] {
        var subs: [VanguardAccountPairing.SubAccount] = []
        for state in try await PostgresVanguardConnectionStore(connection: connection).all() {
            guard let session = try? VanguardSession.load(path: state.sessionPath) else { continue }
            for s in session.subAccounts where !subs.contains(where: { $0.hierarchyID == s.hierarchyID }) {
                subs.append(.init(hierarchyID: s.hierarchyID, name: s.name, wrapper: s.wrapper))
            }
        }
        return subs
    }

    /// Links each known block no person has mapped to the sub-account its names decide.
    /// A block whose names decide nothing keeps its link (or stays its own account).
    /// - Returns: the links appended.
    @discardableResult
    public func linkByNames() async throws -> [VanguardExportLink] {
        let subs = try await subAccounts()
        var made: [VanguardExportLink] = []
        for p in try await pairings() where p.link?.by != .person {
            guard let sub = VanguardAccountPairing.match(title: p.account, among: subs), p.link?.hierarchyID != sub.hierarchyID else { continue }
            let link = VanguardExportLink(account: p.account, hierarchyID: sub.hierarchyID, by: .names)
            try await append(link)
            made.append(link)
        }
        return made
    }

    /// A person's pairing of block `account` with the sub-account `subAccount` (its
    /// hierarchy id or its name), or with none (`nil`: the block stays its own account).
    /// - Throws: ``VanguardExportError`` naming what is unknown, with what is known.
    public func map(account: String, to subAccount: String?) async throws -> VanguardExportLink {
        let known = try await pairings().map(\.account)
        guard known.contains(account) else {
            throw VanguardExportError(code: .notAnExport, line: nil, message: "no imported export has an account \"\(VanguardExportRowError.excerpt(account))\" (connection \(exportConnection)); known: "
                                      + (known.isEmpty ? "none — run `finsync import vanguard FILE` first" : known.map { "\"\($0)\"" }.joined(separator: ", ")))
        }
        var hierarchyID: String?
        if let subAccount {
            let subs = try await subAccounts()
            let byID = subs.filter { $0.hierarchyID == subAccount }
            let byName = subs.filter { $0.name.caseInsensitiveCompare(subAccount) == .orderedSame }
            guard let sub = byID.first ?? (byName.count == 1 ? byName.first : nil) else {
                throw VanguardExportError(code: .notAnExport, line: nil, message: "no registered session has a sub-account \"\(VanguardExportRowError.excerpt(subAccount))\"\(byName.count > 1 ? " (several have that name: give its id)" : ""); known: "
                                          + (subs.isEmpty ? "none — run `finsync connect vanguard --session FILE` first" : subs.map { "\($0.hierarchyID) (\($0.name))" }.joined(separator: ", ")))
            }
            hierarchyID = sub.hierarchyID
        }
        let link = VanguardExportLink(account: account, hierarchyID: hierarchyID, by: .person)
        try await append(link)
        return link
    }

    func append(_ link: VanguardExportLink) async throws {
        let stream = VanguardExportLink.stream(connection: exportConnection, account: link.account)
        _ = try await EventLog(connection: connection).appendSnapshot(NewEvent(type: Self.eventType, json: link.payload,
                                                                               metadata: ["endpoint": "export:link"]), to: stream)
    }
}
