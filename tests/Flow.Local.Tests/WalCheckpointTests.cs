using Microsoft.Data.Sqlite;

namespace Flow.Local.Tests;

/// <summary>The SQLite store's log is copied back into the file beside the commits, and restarted between two of
/// them, so it stays small however much is written, and nobody reading the file can hold commits back.</summary>
public class WalCheckpointTests
{
    string _path = null!;

    [SetUp]
    public void SetUp() => _path = Path.Combine(Path.GetTempPath(), $"flow-wal-{Guid.NewGuid():N}.db");

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _path, _path + "-wal", _path + "-shm", _path + ".lock" })
            File.Delete(f);
    }

    /// <summary>Commits one domain row of about 8 KiB (a few pages of log each time it is rewritten).</summary>
    static void Commit(SqliteStore store, int i)
    {
        var changes = new ChangeSet();
        changes.Domains.Add(new DomainState { Name = $"d{i % 50}", Description = new string((char)('a' + i % 26), 8_000), RetentionPeriodInDays = "1" });
        store.WaitDurable(store.Stage(changes)!);
    }

    long WalBytes() => new FileInfo(_path + "-wal") is { Exists: true } f ? f.Length : 0;

    [Test]
    public void The_log_stays_small_however_much_is_committed()
    {
        // Twenty restarts' worth counting the rows alone (the log gets more: pages, not rows). Without restarts the log
        // would hold all of it; with them it holds the threshold plus what a fast writer adds in a few intervals.
        const long written = 20 * WalCheckpointer.RestartFrames * 4096;
        using var store = new SqliteStore(_path);
        store.Load();
        long bytes = 0, largest = 0;
        for (var i = 0; bytes < written; i++)
        {
            Commit(store, i);
            bytes += 8_000;
            largest = Math.Max(largest, WalBytes());
        }

        Assert.That(store.Checkpointer.Checkpoints, Is.GreaterThan(0), "passive checkpoints ran beside the commits");
        Assert.That(store.Checkpointer.Restarts, Is.GreaterThan(0), "the log was restarted between commits");
        Assert.That(largest, Is.LessThan(written / 3), $"the log reached {largest:N0} bytes of {written:N0} written");
    }

    [Test]
    public void A_reader_holding_the_log_does_not_hold_commits_back_and_the_log_restarts_once_it_leaves()
    {
        using var store = new SqliteStore(_path, busyTimeout: TimeSpan.FromSeconds(2));
        store.Load();
        Commit(store, 0);
        long restartsWhileRead;
        using (var reader = new SqliteConnection($"Data Source={_path};Pooling=False"))
        {
            reader.Open();
            using var read = reader.BeginTransaction(deferred: true);
            using (var select = reader.CreateCommand())
            {
                select.Transaction = read;
                select.CommandText = "SELECT count(*) FROM domains";
                select.ExecuteScalar(); // a snapshot: the log cannot be restarted under it
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 1; store.Checkpointer.Frames < 2 * WalCheckpointer.RestartFrames; i++)
            {
                Commit(store, i);
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "the log never reached two restarts' worth");
            }
            restartsWhileRead = store.Checkpointer.Restarts;
            Assert.That(restartsWhileRead, Is.GreaterThan(0), "restarts were tried while the reader held the log");
            // Each try gives up at once: with the 2 s busy timeout waited out, these commits would take minutes.
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(restartsWhileRead * 2)));
            read.Commit();
        }

        var again = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; store.Checkpointer.Frames >= WalCheckpointer.RestartFrames; i++)
        {
            Commit(store, i);
            Thread.Sleep(1);
            Assert.That(again.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "the log was not restarted after the reader left");
        }
        Assert.That(store.Checkpointer.Restarts, Is.GreaterThan(restartsWhileRead));
    }

    [Test]
    public void What_was_committed_is_all_there_after_the_log_restarted_many_times()
    {
        using (var store = new SqliteStore(_path))
        {
            store.Load();
            for (var i = 0; store.Checkpointer.Restarts < 3; i++)
                Commit(store, i);
            Assert.That(store.Checkpointer.Restarts, Is.GreaterThanOrEqualTo(3));
        }
        using var reopened = new SqliteStore(_path);
        var domains = reopened.Load().Domains;
        Assert.That(domains, Has.Count.EqualTo(50));
        Assert.That(domains.Select(d => d.Description!.Length), Is.All.EqualTo(8_000));
    }
}
