import CanonicalJSON
import EventLog
import OrderedCollections
import Postgres

/// The user events of one unified batch (``AnnotationEvents``), folded into the annotation
/// tables: `transaction_annotations` (one row per annotated transaction stream: the person's
/// category and note, and which unified transaction it resolves to now), `transaction_tags`,
/// `categories`, `rules` and `transaction_rule_matches` (rules applied at fold time).
///
/// Tag, category and note edits are folded in memory (the last edit of a stream, tag, category
/// or note wins) and written in bulk; category and rule events are rare and applied in log
/// order as they come, after writing the edits folded before them, so a merge or a rule change
/// sees exactly the edits that precede it. After the transactions of the batch are written,
/// ``finish(in:written:touchedAccounts:)`` resolves annotations to transactions and applies the
/// rules to the transactions the batch wrote and to those a changed rule matches or matched. Every step depends only on the tables and the events, not on
/// where a batch ends, so a rebuild reproduces the live tables.
struct AnnotationBatch {
    struct Target {
        var account: String, key: String, version: Int64, position: Int64, at: String, by: String?
        var category: String?, categorySet = false
        var note: String?, noteSet = false
    }

    var targets: OrderedDictionary<String, Target> = [:]
    /// Tag edits by stream target, then tag: true = added, false = removed (the last edit wins).
    var tags: OrderedDictionary<String, OrderedDictionary<String, Bool>> = [:]
    /// Every target an event of this batch touched (resolved again at the end).
    var touched: Set<String> = []
    /// Rules defined, changed or removed in this batch: the transactions they match now or
    /// matched before are matched again at the end.
    var changedRules: Set<String> = []
    /// Whether the rules were reordered: transactions several rules match are matched again.
    var reordered = false

    static let tables = ["transaction_annotations", "transaction_tags", "categories", "rules", "transaction_rule_matches"]

    static func createTables(in c: ProjectionContext) throws {
        _ = try c.session.execute("""
            CREATE TABLE IF NOT EXISTS \(c.table("transaction_annotations")) (
                target_id uuid PRIMARY KEY, account_id uuid NOT NULL, transaction_key text NOT NULL,
                transaction_id uuid, transaction_pending boolean NOT NULL DEFAULT false,
                category_id uuid, note text, version bigint NOT NULL, last_position bigint NOT NULL,
                updated_at timestamptz NOT NULL, updated_by text);
            CREATE INDEX IF NOT EXISTS transaction_annotations_transaction ON \(c.table("transaction_annotations")) (transaction_id);
            CREATE INDEX IF NOT EXISTS transaction_annotations_unsettled ON \(c.table("transaction_annotations")) (account_id)
                WHERE transaction_id IS NULL OR transaction_pending;
            CREATE TABLE IF NOT EXISTS \(c.table("transaction_tags")) (
                target_id uuid NOT NULL, tag text NOT NULL, PRIMARY KEY (target_id, tag));
            CREATE INDEX IF NOT EXISTS transaction_tags_tag ON \(c.table("transaction_tags")) (tag);
            CREATE TABLE IF NOT EXISTS \(c.table("categories")) (
                id uuid PRIMARY KEY, name text NOT NULL, merged_into uuid, defined_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS \(c.table("rules")) (
                id uuid PRIMARY KEY, position integer NOT NULL, provider text, account_id uuid, counterparty text, description text,
                description_regex text, amount_min numeric, amount_max numeric, sign text, category_id uuid, tags text[] NOT NULL,
                definition jsonb NOT NULL, updated_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS \(c.table("transaction_rule_matches")) (
                transaction_id uuid PRIMARY KEY, rule_id uuid, category_id uuid, tags text[] NOT NULL, pending boolean NOT NULL, rule_ids uuid[] NOT NULL);
            CREATE INDEX IF NOT EXISTS transaction_rule_matches_pending ON \(c.table("transaction_rule_matches")) (transaction_id) WHERE pending;
            """)
    }

    /// Folds one user event; category and rule events are written at once (after the edits before them).
    mutating func fold(_ e: ProjectedEvent, in c: ProjectionContext) throws {
        let by = e.event.metadata()["actor"]?.string
        if let kind = AnnotationEvents.transactionKinds[e.type] {
            let target = try e.string("transaction_id")
            var t = try targets[target] ?? Target(account: try e.string("account_id"), key: try e.string("transaction_key"), version: 0, position: 0, at: e.recordedAtText, by: by)
            t.version = e.event.streamVersion; t.position = e.position; t.at = e.recordedAtText; t.by = by
            switch kind {
            case .tagAdded: tags[target, default: [:]][try e.string("tag")] = true
            case .tagRemoved: tags[target, default: [:]][try e.string("tag")] = false
            case .categorySet: t.category = try e.string("category_id"); t.categorySet = true
            case .categoryCleared: t.category = nil; t.categorySet = true
            case .noteSet: t.note = e.json["note"]?.string.flatMap { $0.isEmpty ? nil : $0 }; t.noteSet = true
            }
            targets[target] = t
            touched.insert(target)
            return
        }
        try flush(in: c)
        let s = c.session
        let at = e.recordedAtText
        switch e.type {
        case EventCatalog.categoryDefined.name:
            _ = try s.query("""
                INSERT INTO \(c.table("categories")) (id, name, defined_at, updated_at) VALUES ($1::uuid, $2, $3::timestamptz, $3::timestamptz)
                ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, updated_at = EXCLUDED.updated_at
                """, [.text(try e.string("category_id")), .text(try e.string("name")), .text(at)])
        case EventCatalog.categoryRenamed.name:
            _ = try s.query("UPDATE \(c.table("categories")) SET name = $2, updated_at = $3::timestamptz WHERE id = $1::uuid",
                            [.text(try e.string("category_id")), .text(try e.string("name")), .text(at)])
        case EventCatalog.categoryMerged.name:
            let from = try e.string("category_id"), into = try e.string("into")
            _ = try s.query("""
                UPDATE \(c.table("categories")) SET merged_into = $2::uuid, updated_at = $3::timestamptz WHERE (id = $1::uuid OR merged_into = $1::uuid) AND id <> $2::uuid;
                """, [.text(from), .text(into), .text(at)])
            _ = try s.query("UPDATE \(c.table("transaction_annotations")) SET category_id = $2::uuid WHERE category_id = $1::uuid", [.text(from), .text(into)])
            _ = try s.query("UPDATE \(c.table("rules")) SET category_id = $2::uuid WHERE category_id = $1::uuid", [.text(from), .text(into)])
            _ = try s.query("UPDATE \(c.table("transaction_rule_matches")) SET category_id = $2::uuid WHERE category_id = $1::uuid", [.text(from), .text(into)])
        case EventCatalog.ruleDefined.name, EventCatalog.ruleChanged.name:
            let id = try e.string("rule_id")
            let rule: RuleDefinition
            do { rule = try RuleDefinition(json: e.json["rule"] ?? .null) } catch { throw ProjectionError.malformed(e, "\(error)") }
            let params: [PostgresParameter] = [.text(id), PostgresParameter(rule.provider), PostgresParameter(rule.accountID), PostgresParameter(rule.counterparty),
                                               PostgresParameter(rule.description), PostgresParameter(rule.descriptionRegex), PostgresParameter(rule.amountMin),
                                               PostgresParameter(rule.amountMax), PostgresParameter(rule.sign?.rawValue), PostgresParameter(rule.categoryID),
                                               .textArray(rule.tags), .text(rule.json.canonicalString), .text(at)]
            _ = try s.query("""
                INSERT INTO \(c.table("rules")) AS r (id, position, provider, account_id, counterparty, description, description_regex, amount_min, amount_max,
                                                      sign, category_id, tags, definition, updated_at)
                SELECT $1::uuid, coalesce((SELECT max(position) FROM \(c.table("rules"))), 0) + 1, $2, $3::uuid, $4, $5, $6, $7::numeric, $8::numeric,
                       $9, $10::uuid, $11::text[], $12::jsonb, $13::timestamptz
                ON CONFLICT (id) DO UPDATE SET provider = EXCLUDED.provider, account_id = EXCLUDED.account_id, counterparty = EXCLUDED.counterparty,
                    description = EXCLUDED.description, description_regex = EXCLUDED.description_regex, amount_min = EXCLUDED.amount_min,
                    amount_max = EXCLUDED.amount_max, sign = EXCLUDED.sign, category_id = EXCLUDED.category_id, tags = EXCLUDED.tags,
                    definition = EXCLUDED.definition, updated_at = EXCLUDED.updated_at
                """, params)
            changedRules.insert(id.lowercased())
        case EventCatalog.ruleRemoved.name:
            let id = try e.string("rule_id")
            _ = try s.query("DELETE FROM \(c.table("rules")) WHERE id = $1::uuid", [.text(id)])
            changedRules.insert(id.lowercased())
        case EventCatalog.rulesReordered.name:
            let order = e.json["order"]?.array?.compactMap(\.string) ?? []
            _ = try s.query("""
                UPDATE \(c.table("rules")) r SET position = coalesce(o.n::integer, $2::integer + r.position)
                FROM \(c.table("rules")) r0 LEFT JOIN unnest($1::uuid[]) WITH ORDINALITY AS o(id, n) ON o.id = r0.id
                WHERE r0.id = r.id
                """, [.textArray(order), PostgresParameter(order.count)])
            reordered = true
        default:
            break
        }
    }

    /// Writes the folded tag, category and note edits.
    mutating func flush(in c: ProjectionContext) throws {
        guard !targets.isEmpty || !tags.isEmpty else { return }
        let s = c.session
        if !targets.isEmpty {
            let stage = PostgresSession.quoteIdentifier("stage_\(c.schema)_annotation_edits")
            _ = try s.execute("""
                CREATE TEMP TABLE IF NOT EXISTS \(stage) (target_id uuid, account_id uuid, transaction_key text, category_id uuid, category_set boolean,
                    note text, note_set boolean, version bigint, last_position bigint, updated_at timestamptz, updated_by text)
                """)
            var w = CopyTextWriter()
            for (id, t) in targets {
                w.row(id, t.account, t.key, t.category, t.categorySet ? "t" : "f", t.note, t.noteSet ? "t" : "f", String(t.version), String(t.position), t.at, t.by)
            }
            try s.copyIn("COPY \(stage) FROM STDIN", text: w)
            // An edit naming a category merged since (a race with the merge) means the merged-into one.
            _ = try s.execute("""
                UPDATE \(stage) x SET category_id = k.merged_into FROM \(c.table("categories")) k WHERE k.id = x.category_id AND k.merged_into IS NOT NULL;
                UPDATE \(c.table("transaction_annotations")) a SET
                    category_id = CASE WHEN x.category_set THEN x.category_id ELSE a.category_id END,
                    note = CASE WHEN x.note_set THEN x.note ELSE a.note END,
                    version = x.version, last_position = x.last_position, updated_at = x.updated_at, updated_by = x.updated_by
                FROM \(stage) x WHERE a.target_id = x.target_id;
                INSERT INTO \(c.table("transaction_annotations")) (target_id, account_id, transaction_key, category_id, note, version, last_position, updated_at, updated_by)
                SELECT x.target_id, x.account_id, x.transaction_key, x.category_id, x.note, x.version, x.last_position, x.updated_at, x.updated_by FROM \(stage) x
                WHERE NOT EXISTS (SELECT 1 FROM \(c.table("transaction_annotations")) a WHERE a.target_id = x.target_id);
                TRUNCATE \(stage);
                """)
        }
        if !tags.isEmpty {
            var added: (targets: [String], tags: [String]) = ([], []), removed: (targets: [String], tags: [String]) = ([], [])
            for (target, edits) in tags {
                for (tag, present) in edits {
                    if present { added.targets.append(target); added.tags.append(tag) } else { removed.targets.append(target); removed.tags.append(tag) }
                }
            }
            if !removed.tags.isEmpty {
                _ = try s.query("DELETE FROM \(c.table("transaction_tags")) g USING unnest($1::uuid[], $2::text[]) AS x(target_id, tag) WHERE g.target_id = x.target_id AND g.tag = x.tag",
                                [.textArray(removed.targets), .textArray(removed.tags)])
            }
            if !added.tags.isEmpty {
                _ = try s.query("INSERT INTO \(c.table("transaction_tags")) (target_id, tag) SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING",
                                [.textArray(added.targets), .textArray(added.tags)])
            }
        }
        targets = [:]
        tags = [:]
    }

    /// After the batch's transactions are written: writes the remaining edits, resolves the
    /// annotations that may have moved (touched ones, and unresolved or pending ones of
    /// `touchedAccounts`) and applies the rules.
    mutating func finish(in c: ProjectionContext, written: [String], touchedAccounts: [String]) throws {
        try flush(in: c)
        let s = c.session
        let tx = c.table("transactions"), ann = c.table("transaction_annotations"), matches = c.table("transaction_rule_matches")
        if !touched.isEmpty || !touchedAccounts.isEmpty {
            // A target resolves to itself while it exists, else (a pending item with the bank's
            // id) to the row it booked as — the same reconciliation that removed the pending row.
            // The candidates come first and each looks its rows up by key (LATERAL), so the plan
            // stays a few index probes per annotation whatever the (fresh, unanalysed) tables of
            // a rebuild's shadow schema tell the planner.
            _ = try s.query("""
                UPDATE \(ann) a SET transaction_id = r.id, transaction_pending = coalesce(r.pending, false)
                FROM (SELECT x.target_id, coalesce(t.id, b.id) AS id, coalesce(t.status, b.status) = 'pending' AS pending
                      FROM (SELECT target_id, account_id, transaction_key FROM \(ann) WHERE target_id = ANY($1::uuid[])
                            UNION
                            SELECT target_id, account_id, transaction_key FROM \(ann)
                            WHERE (transaction_id IS NULL OR transaction_pending) AND account_id = ANY($2::uuid[])) x
                      LEFT JOIN LATERAL (SELECT id, status FROM \(tx) WHERE id = x.target_id) t ON true
                      LEFT JOIN LATERAL (SELECT id, status FROM \(tx)
                                         WHERE t.id IS NULL AND \(UnifiedBatch.hasBankID(pendingKey: "x.transaction_key")) AND account_id = x.account_id
                                           AND provider_transaction_key = \(UnifiedBatch.bookedKey(ofPending: "x.transaction_key"))) b ON true) r
                WHERE a.target_id = r.target_id AND (a.transaction_id IS DISTINCT FROM r.id OR a.transaction_pending IS DISTINCT FROM coalesce(r.pending, false))
                """, [.textArray(touched.sorted()), .textArray(touchedAccounts)])
        }
        guard !changedRules.isEmpty || reordered || !written.isEmpty || !touchedAccounts.isEmpty else { return }
        if !touchedAccounts.isEmpty {
            // Pending rows replaced or booked since: their matches go with them.
            _ = try s.query("DELETE FROM \(matches) m WHERE m.pending AND NOT EXISTS (SELECT 1 FROM \(tx) t WHERE t.id = m.transaction_id)")
        }
        let ruleCount = try s.query("SELECT count(*) FROM \(c.table("rules"))")[0].int64(0) ?? 0
        // No rule changed: with no rules at all (most logs) there is nothing to match.
        if changedRules.isEmpty && !reordered && ruleCount == 0 { return }
        // Matching groups every transaction's rule pairs: with the default 4 MB the sort and
        // hashes of a pass over all history spill to disk (1.5 s instead of 2.5 s for 190,000
        // transactions with it in memory). For this batch's transaction only.
        // JIT compiling the pass (its CTEs make the planner's estimates huge) costs more than
        // the pass itself saves: 9.5 s with JIT against 7.8 s without over 941,000 transactions.
        _ = try s.execute("SET LOCAL work_mem = '256MB'; SET LOCAL jit = off")
        if !changedRules.isEmpty && changedRules.count * 2 >= max(Int(ruleCount), 1) {
            // Most rules changed (e.g. a list made at once): one pass over every transaction
            // costs less than finding what the changed ones touch first. Written in key order, the
            // primary key grows at its right edge instead of taking a million random inserts
            // (5.1 s instead of 7.8 s for 941,000 transactions).
            _ = try s.execute("""
                DELETE FROM \(matches);
                INSERT INTO \(matches) (transaction_id, rule_id, category_id, tags, pending, rule_ids)
                SELECT * FROM (\(RuleMatching.select(transactions: tx, accounts: c.table("accounts"), rules: c.table("rules"), where: "true"))) m
                ORDER BY transaction_id;
                """)
            changedRules = []
            reordered = false
            return
        }
        // The transactions to match again: those written now, those a changed rule matched
        // before (`rule_ids`) or matches now, and — after a reorder — those several rules match.
        // One pass of the changed rules over the transactions, then every rule over the few
        // they touch: a rebuild with rules made over the years stays linear in the log.
        let stage = PostgresSession.quoteIdentifier("stage_\(c.schema)_rule_rematch")
        _ = try s.execute("CREATE TEMP TABLE IF NOT EXISTS \(stage) (id uuid PRIMARY KEY)")
        if !written.isEmpty {
            _ = try s.query("INSERT INTO \(stage) SELECT DISTINCT unnest($1::uuid[]) ON CONFLICT DO NOTHING", [.textArray(written)])
        }
        if !changedRules.isEmpty {
            let changed = changedRules.sorted()
            _ = try s.query("INSERT INTO \(stage) SELECT transaction_id FROM \(matches) WHERE rule_ids && $1::uuid[] ON CONFLICT DO NOTHING", [.textArray(changed)])
            _ = try s.query("INSERT INTO \(stage) SELECT transaction_id FROM (\(RuleMatching.select(transactions: tx, accounts: c.table("accounts"), rules: RuleMatching.rules(in: c.table("rules"), idsIn: "$1"), where: "true"))) x ON CONFLICT DO NOTHING",
                            [.textArray(changed)])
        }
        if reordered {
            _ = try s.execute("INSERT INTO \(stage) SELECT transaction_id FROM \(matches) WHERE cardinality(rule_ids) > 1 ON CONFLICT DO NOTHING")
        }
        _ = try s.execute("""
            DELETE FROM \(matches) m USING \(stage) x WHERE m.transaction_id = x.id;
            INSERT INTO \(matches) (transaction_id, rule_id, category_id, tags, pending, rule_ids)
            \(RuleMatching.select(transactions: tx, accounts: c.table("accounts"), rules: c.table("rules"), where: "t.id IN (SELECT id FROM \(stage))"));
            TRUNCATE \(stage);
            """)
        changedRules = []
        reordered = false
        touched = []
    }
}

extension UnifiedFold {
    /// A person's edits: tags, categories, notes and rules (user events).
    static let annotations = UnifiedFold("annotations", eventTypes: AnnotationEvents.types) { batch, e, c in try batch.annotations.fold(e, in: c) }
}
