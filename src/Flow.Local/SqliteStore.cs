using System.Runtime.InteropServices;
using System.Text.Json;
using Flow.Swf;
using Microsoft.Data.Sqlite;

namespace Flow.Local;

/// <summary>
/// Keeps the engine's state in one SQLite file (WAL): a row per domain, type and execution (its state as
/// JSON) and a row per history event. Executions are keyed by an increasing number, so the rows that busy
/// (recent) runs rewrite share a few pages at the end of each table. Calls stage their changes under the
/// engine's lock; the first caller to wait commits everything staged so far in one transaction while the
/// others wait for it (group commit), so every call is committed before it answers. Callers that await
/// (flow dev's) hand the commit to one committer on the thread pool instead, which commits what is staged for as
/// long as more is asked for, so no request thread is parked on the file. A commit that fails
/// (the file locked by another program past the busy timeout, a full disk) rolls back whole: the calls in
/// it, and those staged after it, fail, and nothing is written until the engine has reloaded.
/// Durability (<see cref="SqliteSynchronous"/>): a commit is in the write-ahead log before its calls answer, so with
/// either setting everything answered survives the process dying (a crash, <c>kill -9</c>). With synchronous=NORMAL,
/// the default, the log reaches the disk only at checkpoints, so an operating system crash or power loss may lose the
/// last commits answered (the file stays consistent); synchronous=FULL flushes the log at every commit, so they
/// survive that too, at the cost of an fsync per commit.
/// </summary>
internal sealed class SqliteStore : ILocalStore
{
    readonly string _path;
    readonly byte[] _tokenKey;
    readonly FileStream _lock;
    readonly SqliteConnection _db;
    readonly SqliteCommand _putDomain, _putType, _deleteType, _putExecution, _putEvent, _deleteExecution, _deleteEvents;
    readonly SqliteCommand[] _commands;
    readonly WalCheckpointer _checkpointer;

    /// <summary>What copies the log back into the file (tests read its counts).</summary>
    internal WalCheckpointer Checkpointer => _checkpointer;

    // Staged rows, guarded by _staging; commits, guarded by _committing (taken first, never inside _staging).
    readonly object _staging = new();
    readonly object _committing = new();
    Commit _open = new();
    Commit? _inFlight;
    long _nextKey = 1;
    Exception? _failure;
    bool _disposed;

    /// <summary>How long a commit waits for a lock another program holds on the file before it fails.</summary>
    internal static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(5);

    enum RowKind : byte { Domain, Type, DeleteType, Execution, Event, DeleteExecution }

    /// <summary>A row to write: its JSON as text, or (events) as the UTF-8 bytes the event keeps, made text by the
    /// committer rather than under the engine's lock.</summary>
    readonly record struct Row(RowKind Kind, long Key, long EventId, string? Text, string? Json, byte[]? Utf8 = null);

    /// <summary>An event in SWF's own JSON, as the wire has it: the same bytes go to the file and, through
    /// <see cref="HistoryEvent.Json"/>, to every poller and history reader.</summary>
    internal static byte[] EventJson(HistoryEvent ev) => JsonSerializer.SerializeToUtf8Bytes(ev, SwfJsonContext.Default.HistoryEvent);

    sealed class Commit : StoreCommit
    {
        public List<Row> Rows { get; } = [];
    }

    public SqliteStore(string path, TimeSpan? busyTimeout = null, SqliteSynchronous synchronous = SqliteSynchronous.Normal)
    {
        _path = path;
        CheckStoreFile(path);
        var lockCreated = !File.Exists(path + ".lock");
        _lock = OpenLockFile(path);
        try
        {
            var connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = path, Pooling = false,
                DefaultTimeout = Math.Max(1, (int)Math.Ceiling((busyTimeout ?? DefaultBusyTimeout).TotalSeconds)),
            }.ToString();
            _db = new SqliteConnection(connectionString);
            _db.Open();
            // Checkpoints run beside the commits (WalCheckpointer), not inside one.
            Run($"PRAGMA journal_mode=WAL; PRAGMA synchronous={(synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL")}; PRAGMA wal_autocheckpoint=0;");
            MigrateRunIdKeys();
            Run("""
                CREATE TABLE IF NOT EXISTS domains (name TEXT PRIMARY KEY, json TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS types (key TEXT PRIMARY KEY, json TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS executions (seq INTEGER PRIMARY KEY, run_id TEXT NOT NULL, json TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS events (seq INTEGER NOT NULL, event_id INTEGER NOT NULL, run_id TEXT NOT NULL, json TEXT NOT NULL,
                    PRIMARY KEY (seq, event_id)) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
                """);
            _tokenKey = TokenKey();
            _checkpointer = new WalCheckpointer(connectionString);
        }
        catch (SqliteException e)
        {
            _db?.Dispose();
            _lock.Dispose();
            // A refused store leaves no file it made.
            if (lockCreated)
                File.Delete(path + ".lock");
            throw new InvalidOperationException($"{path} cannot be used as a store: {e.Message}", e);
        }
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

    /// <summary>The file's token key, made on first use: tokens handed out before a restart stay valid after it.</summary>
    byte[] TokenKey()
    {
        using var c = _db.CreateCommand();
        c.CommandText = "INSERT OR IGNORE INTO meta (key, value) VALUES ('token_key', $v); SELECT value FROM meta WHERE key = 'token_key'";
        c.Parameters.AddWithValue("$v", System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        return (byte[])c.ExecuteScalar()!;
    }

    /// <summary>Refuses, before anything is created beside it, a path that is not a regular file (SQLite would make its
    /// journal next to a device, /dev/null-journal, and reading a FIFO's header would wait for a writer forever) or a
    /// file with content that is not a SQLite database. An empty regular file is a new store, as SQLite takes it.</summary>
    static void CheckStoreFile(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            return;
        if (FileKind(full) is { } kind)
            throw new InvalidOperationException($"{path} is {kind}, not a regular file; --db takes a file (created if missing).");
        Span<byte> header = stackalloc byte[16];
        int read;
        try
        {
            using var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{path} cannot be used as a store: it cannot be read ({e.Message.TrimEnd('.')}).", e);
        }
        if (read > 0 && !header[..read].SequenceEqual("SQLite format 3\0"u8))
            throw new InvalidOperationException($"{path} cannot be used as a store: it is not a SQLite database.");
    }

    /// <summary>What the path is when it is not a regular file (links followed, in every folder of the path), or null.
    /// .NET reports no file type on Unix, so Linux's statx is asked; its struct has one layout on every architecture.
    /// Elsewhere (or with a libc without statx) only the header check runs.</summary>
    static string? FileKind(string path)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        var name = Marshal.StringToCoTaskMemUTF8(path);
        var buffer = Marshal.AllocHGlobal(256); // sizeof(struct statx)
        try
        {
            int result;
            try
            {
                result = Statx(AtFdCwd, name, 0, StatxType, buffer);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                return null;
            }
            if (result != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == 2) // ENOENT: a link to nothing; SQLite creates the file
                    return null;
                throw new InvalidOperationException($"{path} cannot be used as a store: {Marshal.GetPInvokeErrorMessage(errno)}.");
            }
            return (Marshal.ReadInt16(buffer, 28) & 0xF000) switch // stx_mode & S_IFMT
            {
                0x8000 or 0x4000 => null, // a regular file; a folder is OpenLockFile's to report
                0x1000 => "a FIFO",
                0x2000 => "a character device",
                0x6000 => "a block device",
                0xC000 => "a socket",
                _ => "a special file",
            };
        }
        finally
        {
            Marshal.FreeCoTaskMem(name);
            Marshal.FreeHGlobal(buffer);
        }
    }

    const int AtFdCwd = -100;
    const uint StatxType = 0x1;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    static extern int Statx(int dirfd, IntPtr path, int flags, uint mask, IntPtr buffer);

    /// <summary>One engine per file: a second one would hold its own copy of the state and overwrite the first's.
    /// The lock is a file beside the store; each way of failing to take it gets its own message.</summary>
    static FileStream OpenLockFile(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new InvalidOperationException($"{path} is a folder; --db takes a file (created if missing).");
        if (Path.GetDirectoryName(full) is { } folder && !Directory.Exists(folder))
            throw new InvalidOperationException($"{path} cannot be created: the folder {folder} does not exist.");
        try
        {
            return new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e.GetType() == typeof(IOException) && IsLockHeld(e))
        {
            throw new InvalidOperationException($"{path} is in use by another Flow.Local engine.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{path} cannot be used as a store: its lock file {path}.lock cannot be created ({e.Message.TrimEnd('.')}).", e);
        }
    }

    /// <summary>The lock is taken by another process: EWOULDBLOCK on Linux (11) and macOS (35), a sharing or lock
    /// violation on Windows.</summary>
    static bool IsLockHeld(IOException e) => e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

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
        try
        {
            return Read();
        }
        catch (SqliteException e)
        {
            throw new InvalidOperationException($"{_path} cannot be read: {e.Message}", e);
        }
    }

    LoadedState Read()
    {
        var state = new LoadedState { TokenKey = _tokenKey };
        using (var c = _db.CreateCommand())
        {
            c.CommandText = "SELECT name, json FROM domains";
            using var r = c.ExecuteReader();
            while (r.Read())
                state.Domains.Add(Parse(r.GetString(1), LocalJsonContext.Default.DomainState, $"domain {r.GetString(0)}"));
        }
        using (var c = _db.CreateCommand())
        {
            c.CommandText = "SELECT key, json FROM types";
            using var r = c.ExecuteReader();
            while (r.Read())
                state.Types.Add(Parse(r.GetString(1), LocalJsonContext.Default.TypeState, $"type {r.GetString(0).Replace('\u001f', ' ')}"));
        }
        var byKey = new Dictionary<long, ExecutionState>();
        var damaged = new Dictionary<long, string>();
        using (var c = _db.CreateCommand())
        {
            c.CommandText = "SELECT seq, run_id, json FROM executions";
            using var r = c.ExecuteReader();
            while (r.Read())
            {
                var key = r.GetInt64(0);
                _nextKey = Math.Max(_nextKey, key + 1);
                try
                {
                    var e = JsonSerializer.Deserialize(r.GetString(2), LocalJsonContext.Default.ExecutionState)
                        ?? throw new JsonException("the row holds null");
                    e.StoreKey = key;
                    byKey[key] = e;
                }
                catch (JsonException x)
                {
                    damaged[key] = $"execution row {key} (run {r.GetString(1)}) cannot be read: {x.Message}";
                }
            }
        }
        using (var c = _db.CreateCommand())
        {
            c.CommandText = "SELECT seq, event_id, json FROM events ORDER BY seq, event_id";
            using var r = c.ExecuteReader();
            while (r.Read())
            {
                if (!byKey.TryGetValue(r.GetInt64(0), out var e) || damaged.ContainsKey(e.StoreKey))
                    continue;
                try
                {
                    var ev = JsonSerializer.Deserialize(r.GetString(2), LocalJsonContext.Default.HistoryEvent) ?? throw new JsonException("the row holds null");
                    if (ev.EventId != r.GetInt64(1))
                        throw new JsonException($"the row is keyed {r.GetInt64(1)} but holds event {ev.EventId}");
                    e.Events.Add(ev);
                }
                catch (JsonException x)
                {
                    damaged[e.StoreKey] = $"{Describe(e)}: event {r.GetInt64(1)} cannot be read: {x.Message}";
                }
            }
        }
        // An execution row and its events are written in one transaction, so they agree: events 1 to eventCount.
        // One that does not (written by an engine before commits rolled back whole, or edited by hand) is left in
        // the file untouched and reported, and the rest loads.
        foreach (var e in byKey.Values)
        {
            if (damaged.ContainsKey(e.StoreKey))
                continue;
            if (e.Events.Count != e.EventCount || (e.Events.Count > 0 && e.Events[^1].EventId != e.Events.Count))
            {
                var held = e.Events.Select(ev => ev.EventId).ToHashSet();
                var missing = Enumerable.Range(1, (int)Math.Min(e.EventCount, int.MaxValue)).Where(i => !held.Contains(i)).Take(10).ToList();
                damaged[e.StoreKey] = $"{Describe(e)}: its record counts {e.EventCount} events but the file holds {e.Events.Count}"
                    + (missing.Count > 0 ? $" (missing event {string.Join(", ", missing)}{(missing.Count == 10 ? ", …" : "")})" : "");
            }
            else if (e.IsOpen && (e.DecisionScheduledId > e.EventCount || e.DecisionStartedId > e.EventCount))
                damaged[e.StoreKey] = $"{Describe(e)}: its decision task refers to events past its last ({e.EventCount})";
            else
                state.Executions.Add(e);
        }
        foreach (var (_, problem) in damaged.OrderBy(d => d.Key))
            state.Problems.Add($"{_path}: {problem}; it was not loaded, and its rows are kept in the file.");
        state.Executions.Sort((a, b) => a.StartTimestamp.CompareTo(b.StartTimestamp));
        return state;
    }

    static string Describe(ExecutionState e) => $"execution {e.WorkflowId} (run {e.RunId}, domain {e.Domain})";

    /// <summary>Domains and types are few and small: one that cannot be read stops the load, saying which.</summary>
    T Parse<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(json, info) ?? throw new JsonException("the row holds null");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{_path}: the {what} cannot be read: {e.Message}", e);
        }
    }

    public StoreCommit? Stage(ChangeSet changes)
    {
        lock (_staging)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_failure is { } failure)
                throw new StoreFailedException(FailureMessage(failure), failure);
            var rows = _open.Rows;
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
                    rows.Add(new Row(RowKind.Event, e.StoreKey, ev.EventId, e.RunId, null, ev.Json = EventJson(ev)));
            foreach (var e in changes.DeletedExecutions)
                if (e.StoreKey != 0)
                    rows.Add(new Row(RowKind.DeleteExecution, e.StoreKey, 0, null, null));
            return _open;
        }
    }

    public StoreCommit? Latest
    {
        get
        {
            lock (_staging)
            {
                // A commit failed while the caller looked: what it saw may be undone.
                if (_failure is { } failure)
                    throw new StoreFailedException(FailureMessage(failure), failure);
                return _open.Rows.Count > 0 ? _open : _inFlight;
            }
        }
    }

    public bool Failed
    {
        get
        {
            lock (_staging)
                return _failure is not null;
        }
    }

    public void WaitDurable(StoreCommit commit)
    {
        List<StoreCommit> done = [];
        try
        {
            lock (_committing)
            {
                // Commits run in order under this lock, so one not done yet is the open one.
                if (!commit.Done)
                    CommitOpen(done);
                if (commit.Error is { } error)
                    throw new StoreFailedException(FailureMessage(error), error);
            }
        }
        finally
        {
            Publish(done);
        }
    }

    static void Publish(List<StoreCommit> done)
    {
        foreach (var c in done)
            c.Publish();
    }

    public async Task WaitDurableAsync(StoreCommit commit)
    {
        // Read without the commit lock: the task's completion (not the plain Done flag) orders the read of Error
        // after the committer's write of it, on any processor.
        if (!commit.Attempted.IsCompleted)
        {
            RequestCommit();
            await commit.Attempted.ConfigureAwait(false);
        }
        if (commit.Error is { } error)
            throw new StoreFailedException(FailureMessage(error), error);
    }

    // One committer at a time, on the thread pool: it commits what is open, and again while more was asked for
    // meanwhile, so callers that await (WaitDurableAsync) still share commits as the blocking ones do.
    bool _committerRunning, _commitRequested;

    void RequestCommit()
    {
        lock (_staging)
        {
            if (_committerRunning)
            {
                _commitRequested = true;
                return;
            }
            _committerRunning = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static store => store.CommitWhileAsked(), this, preferLocal: false);
    }

    void CommitWhileAsked()
    {
        List<StoreCommit> done = [];
        while (true)
        {
            lock (_committing)
            {
                // Even an open commit without rows: a call whose changes made none (an execution created and
                // dropped in one call) still waits for it, as WaitDurable's caller would.
                bool disposed;
                lock (_staging)
                    disposed = _disposed;
                if (!disposed)
                    CommitOpen(done);
            }
            Publish(done);
            done.Clear();
            lock (_staging)
            {
                if (!_commitRequested)
                {
                    _committerRunning = false;
                    return;
                }
                _commitRequested = false;
            }
        }
    }

    static string FailureMessage(Exception error) =>
        $"The store could not save this call, so it was not done ({error.Message.TrimEnd('.')}).";

    /// <summary>Writes every staged row in one transaction. Caller holds _committing, and publishes what this adds to
    /// <paramref name="done"/> once it has let go.</summary>
    void CommitOpen(List<StoreCommit> done)
    {
        Commit commit;
        lock (_staging)
        {
            commit = _open;
            _open = new Commit();
            _inFlight = commit;
        }
        try
        {
            if (commit.Rows.Count > 0)
            {
                Write(commit.Rows);
                if (_checkpointer.ShouldRestart)
                    _checkpointer.Restart(_db);
                _checkpointer.Committed();
            }
        }
        catch (Exception e)
        {
            commit.Error = e;
            lock (_staging)
            {
                // Calls staged meanwhile saw this commit's changes in memory: they fail with it, and nothing more is
                // staged until the engine has reloaded what the file holds.
                _failure = e;
                _open.Error = e;
                _open.MarkDone();
                done.Add(_open);
                _open = new Commit();
            }
        }
        finally
        {
            commit.MarkDone();
            done.Add(commit);
            commit.Rows.Clear();
            lock (_staging)
                _inFlight = null;
        }
    }

    public LoadedState Reload()
    {
        List<StoreCommit> done = [];
        try
        {
            return ReloadCommitted(done);
        }
        finally
        {
            // The engine reloads under its own lock: what awaits these commits runs elsewhere.
            PublishElsewhere(done);
        }
    }

    static void PublishElsewhere(List<StoreCommit> done)
    {
        foreach (var c in done)
            ThreadPool.UnsafeQueueUserWorkItem(static c => c.Publish(), c, preferLocal: false);
    }

    LoadedState ReloadCommitted(List<StoreCommit> done)
    {
        lock (_committing)
        {
            // Calls staged before whatever made the engine reload (a call failing after it changed memory) are
            // whole and were snapshots when staged: save them first, so none is answered without its rows or left
            // waiting for a commit that was dropped. After a failed commit there is nothing open to save.
            bool pending;
            lock (_staging)
                pending = _failure is null && _open.Rows.Count > 0;
            if (pending)
                CommitOpen(done);
            var state = Load();
            lock (_staging)
            {
                _failure = null;
                _open = new Commit();
            }
            return state;
        }
    }

    /// <summary>Runs a statement on the store's own connection, between commits: tests use it for per-connection
    /// settings such as <c>PRAGMA max_page_count</c>, which caps the file as a full disk would.</summary>
    internal void Execute(string sql)
    {
        lock (_committing)
            Run(sql);
    }

    /// <summary>Reads one value on the store's own connection, between commits (tests read its settings).</summary>
    internal object? Scalar(string sql)
    {
        lock (_committing)
        {
            using var c = _db.CreateCommand();
            c.CommandText = sql;
            return c.ExecuteScalar();
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
            else if (row.Utf8 is not null)
                c.Parameters["$j"].Value = System.Text.Encoding.UTF8.GetString(row.Utf8);
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
        List<StoreCommit> done = [];
        try
        {
            DisposeCommitted(done);
        }
        finally
        {
            PublishElsewhere(done);
        }
    }

    void DisposeCommitted(List<StoreCommit> done)
    {
        lock (_committing)
        {
            // Calls staged but not yet waited for were acknowledged to nobody; commit them anyway (unless the
            // store failed: then they rest on changes the file never got).
            bool pending;
            lock (_staging)
                pending = _failure is null && _open.Rows.Count > 0;
            if (pending)
                CommitOpen(done);
            lock (_staging)
            {
                if (_disposed)
                    return;
                _disposed = true;
                // Whoever still awaits the open commit (it rests on a failed one) hears that it never will be.
                if (!_open.Done)
                {
                    _open.Error ??= _failure ?? new ObjectDisposedException(nameof(SqliteStore));
                    _open.MarkDone();
                    done.Add(_open);
                }
            }
            foreach (var c in _commands)
                c.Dispose();
            // The checkpointer first: the last connection to close checkpoints the rest and removes the log.
            _checkpointer.Dispose();
            _db.Dispose();
            _lock.Dispose();
        }
    }
}
