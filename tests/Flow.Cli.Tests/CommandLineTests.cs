using System.Net;
using Flow.Cli.Dev;
using Flow.Local;

namespace Flow.Cli.Tests;

/// <summary>How <c>flow dev</c> reads its options.</summary>
[TestFixture]
public sealed class CommandLineTests
{
    private static DevCommand.Options Parse(params string[] args) =>
        DevCommand.ParseOptions(CommandLine.Parse(args, "memory", "verify-sigv4"));

    [Test]
    public void Memory_alone_listens_on_loopback_at_the_default_port()
    {
        var options = Parse("--memory");
        Assert.That(options.Bind, Is.EqualTo(IPAddress.Loopback));
        Assert.That(options.Port, Is.EqualTo(DevCommand.DefaultPort));
        Assert.That(options.DatabasePath, Is.Null);
        Assert.That(options.LongPollHold, Is.Null);
    }

    [Test]
    public void Another_address_is_used_only_when_bound_explicitly()
    {
        Assert.That(Parse("--memory", "--bind", "0.0.0.0").Bind, Is.EqualTo(IPAddress.Any));
    }

    [Test]
    public void Options_may_be_written_with_an_equals_sign()
    {
        var options = Parse("--db=flow.db", "--port=0", "--long-poll-seconds=3");
        Assert.That(options.DatabasePath, Is.EqualTo("flow.db"));
        Assert.That(options.Port, Is.Zero);
        Assert.That(options.LongPollHold, Is.EqualTo(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public void The_store_commits_with_synchronous_normal_unless_sync_full_is_asked_for()
    {
        Assert.That(LocalEngine.EngineOptions(Parse("--db", "f.db")).Synchronous, Is.EqualTo(SqliteSynchronous.Normal));
        Assert.That(LocalEngine.EngineOptions(Parse("--db", "f.db", "--sync", "normal")).Synchronous, Is.EqualTo(SqliteSynchronous.Normal));
        var full = LocalEngine.EngineOptions(Parse("--db", "f.db", "--sync", "full", "--long-poll-seconds", "2"));
        Assert.That((full.Synchronous, full.DatabasePath, full.LongPollHold), Is.EqualTo((SqliteSynchronous.Full, "f.db", TimeSpan.FromSeconds(2))));
    }

    [TestCase("", TestName = "Neither --db nor --memory is a usage error")]
    [TestCase("--db f.db --sync off", TestName = "A sync mode other than normal or full is a usage error")]
    [TestCase("--memory --sync full", TestName = "A sync mode without a file is a usage error")]
    [TestCase("--memory --db f.db", TestName = "Both --db and --memory is a usage error")]
    [TestCase("--memory --bind localhost.example", TestName = "A bind address that is not an IP is a usage error")]
    [TestCase("--memory --port 70000", TestName = "A port out of range is a usage error")]
    [TestCase("--memory --verify-sigv4", TestName = "Verifying signatures without keys is a usage error")]
    [TestCase("--memory --secret-key s", TestName = "Keys without verify-sigv4 are a usage error")]
    [TestCase("--memory --prot 1", TestName = "An unknown option is a usage error")]
    [TestCase("--memory --memory", TestName = "An option given twice is a usage error")]
    [TestCase("--memory --port", TestName = "An option without its value is a usage error")]
    public void Rejected(string args)
    {
        Assert.That(() => Parse(args.Split(' ', StringSplitOptions.RemoveEmptyEntries)), Throws.TypeOf<UsageException>());
    }
}
