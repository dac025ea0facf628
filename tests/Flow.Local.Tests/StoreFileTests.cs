using Microsoft.Data.Sqlite;

namespace Flow.Local.Tests;

/// <summary>A path that cannot be a store is refused and leaves nothing beside it.</summary>
public class StoreFileTests
{
    string _folder = null!;

    [SetUp]
    public void SetUp() => _folder = Directory.CreateTempSubdirectory("flow-store-file-").FullName;

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    string[] Files() => [.. Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName).Order()!];

    [Test]
    public void A_file_that_is_not_a_database_is_refused_and_no_lock_file_is_left_beside_it()
    {
        var path = Path.Combine(_folder, "passwd");
        File.WriteAllText(path, "root:x:0:0:root:/root:/bin/bash\n");
        Assert.That(() => new LocalSwf(new LocalSwfOptions { DatabasePath = path }),
            Throws.InvalidOperationException.With.Message.EqualTo($"{path} cannot be used as a store: it is not a SQLite database."));
        Assert.That(Files(), Is.EqualTo(new[] { "passwd" }));
    }

    [Test]
    public void A_file_SQLite_refuses_after_its_header_leaves_no_lock_file_beside_it()
    {
        var path = Path.Combine(_folder, "torn.db");
        File.WriteAllBytes(path, [.. "SQLite format 3\0"u8, .. new byte[84]]);
        Assert.That(() => new LocalSwf(new LocalSwfOptions { DatabasePath = path }),
            Throws.InvalidOperationException.With.Message.StartWith($"{path} cannot be used as a store: SQLite Error"));
        Assert.That(Files(), Is.EqualTo(new[] { "torn.db" }));
    }

    [Test]
    public void A_link_to_a_character_device_is_refused_before_anything_is_created()
    {
        if (OperatingSystem.IsWindows())
            Assert.Ignore("no /dev/null");
        var path = Path.Combine(_folder, "null.db");
        File.CreateSymbolicLink(path, "/dev/null");
        Assert.That(() => new LocalSwf(new LocalSwfOptions { DatabasePath = path }),
            Throws.InvalidOperationException.With.Message.EqualTo($"{path} is a character device, not a regular file; --db takes a file (created if missing)."));
        Assert.That(Files(), Is.EqualTo(new[] { "null.db" }));
        Assert.That(File.Exists("/dev/null-journal") || File.Exists("/dev/null-wal"), Is.False);
    }

    [Test]
    public void A_FIFO_is_refused_at_once_rather_than_waited_on()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Ignore("statx is Linux's");
        var path = Path.Combine(_folder, "fifo.db");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", path))
            mkfifo.WaitForExit();
        var open = Task.Run(() => new LocalSwf(new LocalSwfOptions { DatabasePath = path }));
        Assert.That(((IAsyncResult)open).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30)), Is.True,
            "reading a FIFO's header waits for a writer forever");
        Assert.That(() => open.GetAwaiter().GetResult(),
            Throws.InvalidOperationException.With.Message.EqualTo($"{path} is a FIFO, not a regular file; --db takes a file (created if missing)."));
        Assert.That(Files(), Is.EqualTo(new[] { "fifo.db" }));
    }

    [Test]
    public void A_device_reached_through_a_linked_folder_is_refused_before_anything_is_created()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Ignore("statx is Linux's");
        var devices = Path.Combine(_folder, "devices");
        Directory.CreateSymbolicLink(devices, "/dev");
        var path = Path.Combine(devices, "null");
        Assert.That(() => new LocalSwf(new LocalSwfOptions { DatabasePath = path }),
            Throws.InvalidOperationException.With.Message.EqualTo($"{path} is a character device, not a regular file; --db takes a file (created if missing)."));
        Assert.That(File.Exists("/dev/null-journal") || File.Exists("/dev/null-wal") || File.Exists("/dev/null.lock"), Is.False);
    }

    [Test]
    public void A_regular_file_under_dev_shm_is_a_store_like_any_other()
    {
        if (!Directory.Exists("/dev/shm"))
            Assert.Ignore("no /dev/shm");
        var path = $"/dev/shm/flow-store-test-{Guid.NewGuid():N}.db";
        try
        {
            using (new LocalSwf(new LocalSwfOptions { DatabasePath = path })) { }
            using (new LocalSwf(new LocalSwfOptions { DatabasePath = path })) { }
            Assert.That(new FileInfo(path).Length, Is.GreaterThan(0));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in Directory.GetFiles("/dev/shm", Path.GetFileName(path) + "*"))
                File.Delete(file);
        }
    }

    [Test]
    public void A_link_loop_is_refused_with_the_systems_reason()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Ignore("statx is Linux's");
        var a = Path.Combine(_folder, "a.db");
        var b = Path.Combine(_folder, "b.db");
        File.CreateSymbolicLink(a, b);
        File.CreateSymbolicLink(b, a);
        Assert.That(() => new LocalSwf(new LocalSwfOptions { DatabasePath = a }),
            Throws.InvalidOperationException.With.Message.StartWith($"{a} cannot be used as a store: ").And.Message.Contain("symbolic links"));
        Assert.That(Files(), Is.EqualTo(new[] { "a.db", "b.db" }));
    }

    [Test]
    public void An_empty_file_becomes_a_new_store()
    {
        var path = Path.Combine(_folder, "empty.db");
        File.WriteAllBytes(path, []);
        using (new LocalSwf(new LocalSwfOptions { DatabasePath = path })) { }
        Assert.That(new FileInfo(path).Length, Is.GreaterThan(0));
    }
}
