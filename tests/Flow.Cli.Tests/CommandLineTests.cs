using System.Net;
using Flow.Cli.Dev;

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

    [TestCase("", TestName = "Neither --db nor --memory is a usage error")]
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
