using System.Text.Json;
using Flow.Swf;
using Microsoft.Data.Sqlite;

namespace Flow.Local;

/// <summary>
/// Keeps the engine's state in one SQLite file (WAL): a row per domain, type and execution (its state as
/// JSON) and a row per history event. Executions are keyed by an increasing number, so the rows that busy
/// (recent) runs rewrite share a few pages at the end of each table. Calls stage their changes under the
/// engine's lock; the first caller to wait commits everything staged so far in one transaction while the
/// others wait for it (group commit), so every call is committed before it answers.
/// synchronous=NORMAL in WAL mode keeps every committed transaction through a process crash.
/// </summary>
internal sealed class SqliteStore : ILocalStore
{
    readonly FileStream _lock;
    readonly SqliteConnection _db;
    readonly SqliteCommand _putDomain, _putType, _deleteType, _putExecution, _putEvent, _deleteExecution, _deleteEvents;
    readonly SqliteCommand[] _commands;

    // Staged rows, guarded by _staging; commits, guarded by _committing (taken first, never inside _staging).
    readonly object _staging = new();
    readonly object _committing = new();
    List<Row> _staged = [];
    List<Row> _spare = [];
    long _stagedTicket, _durableTicket;
    long _nextKey = 1;
    (long From, long To, Exception Error)? _failed;
    bool _disposed;

    enum RowKind : byte { Domain, Type, DeleteType, Execution, Event, DeleteExecution }

    readonly record struct Row(RowKind Kind, long Key, long EventId, string? Text, string? Json);

    public SqliteStore(string path)
    {
        // One engine per file: a second one would hold its own copy of the state and overwrite the first's.
        try
        {
            _lock = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"{path} is in use by another Flow.Local engine.", e);
        }
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        Run("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        MigrateRunIdKeys();
        Run("""
            CREATE TABLE IF NOT EXISTS domains (name TEXT PRIMARY KEY, json TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS types (key TEXT PRIMARY KEY, json TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS executions (seq INTEGER PRIMARY KEY, run_id TEXT NOT NULL, json TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS events (seq INTEGER NOT NULL, event_id INTEGER NOT NULL, run_id TEXT NOT NULL, json TEXT NOT NULL,
                PRIMARY KEY (seq, event_id)) WITHOUT ROWID;
            """);
        _putDomain = Prepare("INSERT OR REPLACE INTO domains (name, json) VALUES ($t, $j)");
        _putType = Prepare("INSERT OR REPLACE INTO types (key, json) VALUES ($t, $j)");
        _deleteType = Prepare("DELETE FROM types WHERE key = $t");
        _putExecution = Prepare("INSERT OR REPLACE INTO executions (seq, run_id, json) VALUES ($k, $t, $j)");
        _putEvent = Prepare("INSERT INTO events (seq, event_id, run_id, json) VALUES ($k, $i, $t, $j)");
        _deleteExecution = Prepare("DELETE FROM executions WHERE seq = $k");
        _deleteEvents = Prepare("DELETE FROM events WHERE seq = $k");
        _commands = [_putDomain, _putType, _deleteType, _putExecution, _putEvent, _deleteExecution, _deleteEvents];
        foreach (var c in _commands)
            c.Prepare();
    }

    /// <summary>Files written before executions had numeric keys (keyed by run id) are rewritten once.</summary>
    void MigrateRunIdKeys()
    {
        using (var c = _db.CreateCommand())
        {
            c.CommandText = "SELECT count(*) FROM pragma_table_info('executions') WHERE name = 'seq'";
            var hasSeq = (long)c.ExecuteScalar()! > 0;
            c.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'executions'";
            if (hasSeq || (long)c.ExecuteScalar()! == 0)
                return;
        }
        Run("""
            BEGIN;
            ALTER TABLE executions RENAME TO executions_v1;
            ALTER TABLE events RENAME TO events_v1;
            CREATE TABLE executions (seq INTEGER PRIMARY KEY, run_id TEXT NOT NULL, json TEXT NOT NULL);
            CREATE TABLE events (seq INTEGER NOT NULL, event_id INTEGER NOT NULL, run_id TEXT NOT NULL, json TEXT NOT NULL,
                PRIMARY KEY (seq, event_id)) WITHOUT ROWID;
            INSERT INTO executions (seq, run_id, json) SELECT rowid, run_id, json FROM executions_v1;
            INSERT INTO events (seq, event_id, run_id, json)
                SELECT x.seq, e.event_id, e.run_id, e.json FROM events_v1 e JOIN executions x ON x.run_id = e.run_id;
            DROP TABLE executions_v1;
            DROP TABLE events_v1;
            COMMIT;
            """);
    }

    void Run(string sql)
    {
        using var c = _db.CreateCommand();
        c.CommandText = sql;
        c.ExecuteNonQuery();
    }

    SqliteCommand Prepare(string sql)
    {
        var c = _db.CreateCommand();
        c.CommandText = sql;
        if (sql.Contains("$k", StringComparison.Ordinal))
            c.Parameters.Add("$k", SqliteType.Integer);
        if (sql.Contains("$i", StringComparison.Ordinal))
            c.Parameters.Add("$i", SqliteType.Integer);
        if (sql.Contains("$t", StringComparison.Ordinal))
            c.Parameters.Add("$t", SqliteType.Text);
        if (sql.Contains("$j", StringComparison.Ordinal))
            c.Parameters.Add("$j", SqliteType.Text);
        return c;
    }

    static string TypeKey(TypeState t) => string.Join('\u001f', t.Domain, t.Kind, t.Name, t.Version);

    public LoadedState Load()
    {
        var state = new LoadedState();
        foreach (var json in Read("SELECT json FROM domains"))
            state.Domains.Add(JsonSerializer.Deserialize(json, LocalJsonContext.Default.DomainState)!);
        foreach (var json in Read("SELECT json FROM types"))
            state.Types.Add(JsonSerializer.Deserialize(json, LocalJsonContext.Default.TypeState)!);
        var byKey = new Dictionary<long, ExecutionState>();
        using (var c = _db.CreateCommand())
        {
            c.CommandText = "SELECT seq, json FROM executions";
            using var r = c.ExecuteReader();
            while (r.Read())
            {
                var e = JsonSerializer.Deserialize(r.GetString(1), LocalJsonContext.Default.ExecutionState)!;
                e.StoreKey = r.GetInt64(0);
                _nextKey = Math.Max(_nextKey, e.StoreKey + 1);
                byKey[e.StoreKey] = e;
                state.Executions.Add(e);
            }
        }
        using (var c = _db.CreateCommand())
        {
            c.CommandText = "SELECT seq, json FROM events ORDER BY seq, event_id";
            using var r = c.ExecuteReader();
            while (r.Read())
                if (byKey.TryGetValue(r.GetInt64(0), out var e))
                    e.Events.Add(JsonSerializer.Deserialize(r.GetString(1), LocalJsonContext.Default.HistoryEvent)!);
        }
        // An execution row and its events are written in one transaction, so they agree; keep only what both say.
        foreach (var e in state.Executions)
            if (e.Events.Count > e.EventCount)
                e.Events.RemoveRange((int)e.EventCount, e.Events.Count - (int)e.EventCount);
        state.Executions.Sort((a, b) => a.StartTimestamp.CompareTo(b.StartTimestamp));
        return state;
    }

    IEnumerable<string> Read(string sql)
    {
        using var c = _db.CreateCommand();
        c.CommandText = sql;
        using var r = c.ExecuteReader();
        while (r.Read())
            yield return r.GetString(0);
    }

    public long Stage(ChangeSet changes)
    {
        lock (_staging)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var rows = _staged;
            foreach (var d in changes.Domains)
                rows.Add(new Row(RowKind.Domain, 0, 0, d.Name, JsonSerializer.Serialize(d, LocalJsonContext.Default.DomainState)));
            foreach (var t in changes.Types)
                if (!changes.DeletedTypes.Contains(t))
                    rows.Add(new Row(RowKind.Type, 0, 0, TypeKey(t), JsonSerializer.Serialize(t, LocalJsonContext.Default.TypeState)));
            foreach (var t in changes.DeletedTypes)
                rows.Add(new Row(RowKind.DeleteType, 0, 0, TypeKey(t), null));
            foreach (var e in changes.Executions)
            {
                if (changes.DeletedExecutions.Contains(e))
                    continue;
                if (e.StoreKey == 0)
                    e.StoreKey = _nextKey++;
                rows.Add(new Row(RowKind.Execution, e.StoreKey, 0, e.RunId, JsonSerializer.Serialize(e, LocalJsonContext.Default.ExecutionState)));
            }
            foreach (var (e, ev) in changes.Events)
                if (!changes.DeletedExecutions.Contains(e))
                    rows.Add(new Row(RowKind.Event, e.StoreKey, ev.EventId, e.RunId, JsonSerializer.Serialize(ev, LocalJsonContext.Default.HistoryEvent)));
            foreach (var e in changes.DeletedExecutions)
                if (e.StoreKey != 0)
                    rows.Add(new Row(RowKind.DeleteExecution, e.StoreKey, 0, null, null));
            return ++_stagedTicket;
        }
    }

    public void WaitDurable(long ticket)
    {
        lock (_committing)
        {
            if (_durableTicket < ticket)
                CommitStaged();
            if (_failed is { } f && ticket >= f.From && ticket <= f.To)
                throw new InvalidOperationException("The SQLite store failed to commit this call.", f.Error);
        }
    }

    /// <summary>Writes every staged row in one transaction. Caller holds _committing.</summary>
    void CommitStaged()
    {
        List<Row> rows;
        long upTo;
        lock (_staging)
        {
            rows = _staged;
            _staged = _spare;
            upTo = _stagedTicket;
        }
        var from = _durableTicket + 1;
        try
        {
            if (rows.Count > 0)
                Write(rows);
        }
        catch (Exception e)
        {
            _failed = (from, upTo, e);
        }
        finally
        {
            _durableTicket = upTo;
            rows.Clear();
            _spare = rows;
        }
    }

    void Write(List<Row> rows)
    {
        using var tx = _db.BeginTransaction();
        foreach (var c in _commands)
            c.Transaction = tx;
        foreach (var row in rows)
        {
            var c = row.Kind switch
            {
                RowKind.Domain => _putDomain,
                RowKind.Type => _putType,
                RowKind.DeleteType => _deleteType,
                RowKind.Execution => _putExecution,
                RowKind.Event => _putEvent,
                _ => _deleteExecution,
            };
            if (row.Kind is RowKind.Execution or RowKind.Event or RowKind.DeleteExecution)
                c.Parameters["$k"].Value = row.Key;
            if (row.Kind is RowKind.Event)
                c.Parameters["$i"].Value = row.EventId;
            if (row.Text is not null)
                c.Parameters["$t"].Value = row.Text;
            if (row.Json is not null)
                c.Parameters["$j"].Value = row.Json;
            c.ExecuteNonQuery();
            if (row.Kind is RowKind.DeleteExecution)
            {
                _deleteEvents.Parameters["$k"].Value = row.Key;
                _deleteEvents.ExecuteNonQuery();
            }
        }
        tx.Commit();
    }

    public void Dispose()
    {
        lock (_committing)
        {
            // Calls staged but not yet waited for were acknowledged to nobody; commit them anyway.
            if (_durableTicket < _stagedTicket)
                CommitStaged();
            lock (_staging)
            {
                if (_disposed)
                    return;
                _disposed = true;
            }
            foreach (var c in _commands)
                c.Dispose();
            _db.Dispose();
            _lock.Dispose();
        }
    }
}
