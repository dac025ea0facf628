using System.Text.Json;
using Flow.Swf;
using Microsoft.Data.Sqlite;

namespace Flow.Local;

/// <summary>
/// Keeps the engine's state in one SQLite file (WAL): a row per domain, type and execution (its state as
/// JSON) and a row per history event. Each API call's changes are one transaction, committed before the
/// call answers; synchronous=NORMAL in WAL mode keeps every committed transaction through a process crash.
/// </summary>
internal sealed class SqliteStore : ILocalStore
{
    readonly SqliteConnection _db;
    readonly SqliteCommand _putDomain, _putType, _deleteType, _putExecution, _putEvent, _deleteExecution, _deleteEvents;

    public SqliteStore(string path)
    {
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        Run("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        Run("""
            CREATE TABLE IF NOT EXISTS domains (name TEXT PRIMARY KEY, json TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS types (key TEXT PRIMARY KEY, json TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS executions (run_id TEXT PRIMARY KEY, json TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS events (run_id TEXT NOT NULL, event_id INTEGER NOT NULL, json TEXT NOT NULL,
                PRIMARY KEY (run_id, event_id)) WITHOUT ROWID;
            """);
        _putDomain = Prepare("INSERT OR REPLACE INTO domains (name, json) VALUES ($k, $j)");
        _putType = Prepare("INSERT OR REPLACE INTO types (key, json) VALUES ($k, $j)");
        _deleteType = Prepare("DELETE FROM types WHERE key = $k");
        _putExecution = Prepare("INSERT OR REPLACE INTO executions (run_id, json) VALUES ($k, $j)");
        _putEvent = Prepare("INSERT INTO events (run_id, event_id, json) VALUES ($k, $i, $j)");
        _deleteExecution = Prepare("DELETE FROM executions WHERE run_id = $k");
        _deleteEvents = Prepare("DELETE FROM events WHERE run_id = $k");
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
        c.Parameters.Add("$k", SqliteType.Text);
        if (sql.Contains("$i", StringComparison.Ordinal))
            c.Parameters.Add("$i", SqliteType.Integer);
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
        var byRun = new Dictionary<string, ExecutionState>(StringComparer.Ordinal);
        foreach (var json in Read("SELECT json FROM executions"))
        {
            var e = JsonSerializer.Deserialize(json, LocalJsonContext.Default.ExecutionState)!;
            byRun[e.RunId] = e;
            state.Executions.Add(e);
        }
        using (var c = _db.CreateCommand())
        {
            c.CommandText = "SELECT run_id, json FROM events ORDER BY run_id, event_id";
            using var r = c.ExecuteReader();
            while (r.Read())
                if (byRun.TryGetValue(r.GetString(0), out var e))
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

    public void Commit(ChangeSet changes)
    {
        using var tx = _db.BeginTransaction();
        foreach (var c in new[] { _putDomain, _putType, _deleteType, _putExecution, _putEvent, _deleteExecution, _deleteEvents })
            c.Transaction = tx;
        foreach (var d in changes.Domains)
            Put(_putDomain, d.Name, JsonSerializer.Serialize(d, LocalJsonContext.Default.DomainState));
        foreach (var t in changes.Types)
            if (!changes.DeletedTypes.Contains(t))
                Put(_putType, TypeKey(t), JsonSerializer.Serialize(t, LocalJsonContext.Default.TypeState));
        foreach (var t in changes.DeletedTypes)
        {
            _deleteType.Parameters["$k"].Value = TypeKey(t);
            _deleteType.ExecuteNonQuery();
        }
        foreach (var e in changes.Executions)
            if (!changes.DeletedExecutions.Contains(e))
                Put(_putExecution, e.RunId, JsonSerializer.Serialize(e, LocalJsonContext.Default.ExecutionState));
        foreach (var (e, ev) in changes.Events)
        {
            if (changes.DeletedExecutions.Contains(e))
                continue;
            _putEvent.Parameters["$k"].Value = e.RunId;
            _putEvent.Parameters["$i"].Value = ev.EventId;
            _putEvent.Parameters["$j"].Value = JsonSerializer.Serialize(ev, LocalJsonContext.Default.HistoryEvent);
            _putEvent.ExecuteNonQuery();
        }
        foreach (var e in changes.DeletedExecutions)
        {
            _deleteExecution.Parameters["$k"].Value = e.RunId;
            _deleteExecution.ExecuteNonQuery();
            _deleteEvents.Parameters["$k"].Value = e.RunId;
            _deleteEvents.ExecuteNonQuery();
        }
        tx.Commit();
    }

    static void Put(SqliteCommand c, string key, string json)
    {
        c.Parameters["$k"].Value = key;
        c.Parameters["$j"].Value = json;
        c.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var c in new[] { _putDomain, _putType, _deleteType, _putExecution, _putEvent, _deleteExecution, _deleteEvents })
            c.Dispose();
        _db.Dispose();
    }
}
