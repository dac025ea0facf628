using Microsoft.Data.Sqlite;

namespace Flow.Local;

/// <summary>
/// Copies the store's write-ahead log back into the database file on a thread and connection of its own, so
/// commits do not wait for it. SQLite's automatic checkpoint ran inside the commit that crossed 1,000 pages of log,
/// and its copying and fsyncs stalled every call waiting for that commit (flow dev's benchmark: 4 % of the CPUs in
/// I/O wait and 12 % idle). Here a passive checkpoint runs at most every <see cref="Interval"/> while commits go on.
/// A log that is being appended to is never wholly copied, so SQLite never starts it afresh by itself: once it
/// holds <see cref="RestartFrames"/> pages, the committer restarts it between two commits (<see cref="Restart"/>),
/// which only copies what the passive checkpoints left. A checkpoint that fails (the disk full) is tried again
/// later; until then the log only grows, and nothing committed is lost, since readers and a restart read it too.
/// </summary>
internal sealed class WalCheckpointer : IDisposable
{
    /// <summary>How often at most to checkpoint while commits go on.</summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Pages of log (4 KiB each) past which the log is restarted.</summary>
    internal const long RestartFrames = 4096;

    readonly SqliteConnection _db;
    readonly SqliteCommand _passive;
    readonly object _gate = new(); // one checkpoint at a time: the checkpointer's or the committer's restart
    readonly Thread _thread;
    readonly AutoResetEvent _committed = new(false);
    readonly ManualResetEventSlim _stop = new(false);
    long _frames;

    public WalCheckpointer(string connectionString)
    {
        _db = new SqliteConnection(connectionString);
        _db.Open();
        _passive = _db.CreateCommand();
        _passive.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        _thread = new Thread(Run) { IsBackground = true, Name = "Flow.Local WAL checkpointer" };
        _thread.Start();
    }

    /// <summary>Pages in the log at the last checkpoint (tests read it).</summary>
    internal long Frames => Interlocked.Read(ref _frames);

    /// <summary>Passive checkpoints done (tests read it).</summary>
    internal int Checkpoints { get; private set; }

    /// <summary>Called after each commit.</summary>
    public void Committed() => _committed.Set();

    void Run()
    {
        while (true)
        {
            WaitHandle.WaitAny([_committed, _stop.WaitHandle]);
            if (_stop.IsSet)
                return;
            lock (_gate)
                Checkpoint(_passive);
            // Commits made meanwhile wait for the next round: one checkpoint per interval at most.
            if (_stop.Wait(Interval))
                return;
        }
    }

    long _lastRestart = long.MinValue / 2;

    /// <summary>Whether the log has grown enough to be restarted, and no restart was tried within the last interval
    /// (one that a reader elsewhere made give up is not tried again at every commit).</summary>
    public bool ShouldRestart => Interlocked.Read(ref _frames) >= RestartFrames
        && System.Diagnostics.Stopwatch.GetElapsedTime(_lastRestart) >= Interval;

    /// <summary>Copies the rest of the log and makes the next commit start it afresh. Called by the committer between
    /// two commits, on its own connection (the writer's). A reader elsewhere still in the log makes it give up at once
    /// rather than hold commits back; it is tried again after a later commit.</summary>
    public void Restart(SqliteConnection writer)
    {
        lock (_gate)
        {
            _lastRestart = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                // SQLite's own busy handler is off (Microsoft.Data.Sqlite retries statements instead), and the pragma
                // reports a busy log in its row rather than failing, so this never waits for another program.
                using var command = writer.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(RESTART)";
                using var result = command.ExecuteReader();
                if (result.Read() && result.GetInt64(0) == 0)
                    Interlocked.Exchange(ref _frames, 0);
                Restarts++;
            }
            catch (SqliteException)
            {
                // Tried again after a later commit.
            }
        }
    }

    /// <summary>Restarts attempted (tests read it).</summary>
    internal int Restarts { get; private set; }

    void Checkpoint(SqliteCommand command)
    {
        try
        {
            using var result = command.ExecuteReader();
            if (result.Read())
                Interlocked.Exchange(ref _frames, result.GetInt64(1));
            Checkpoints++;
        }
        catch (SqliteException)
        {
            // Tried again after the next commit.
        }
    }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _passive.Dispose();
        _db.Dispose();
        _committed.Dispose();
        _stop.Dispose();
    }
}
