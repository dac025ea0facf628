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
            Throws.InvalidOperationException.With.Message.EqualTo($"{path} is a device, not a regular file; --db takes a file (created if missing)."));
        Assert.That(Files(), Is.EqualTo(new[] { "null.db" }));
        Assert.That(File.Exists("/dev/null-journal") || File.Exists("/dev/null-wal"), Is.False);
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
