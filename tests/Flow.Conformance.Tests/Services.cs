using Flow.Cli.Tests;
using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;

namespace Flow.Conformance.Tests;

/// <summary>One SWF-compatible service under test, reached through our wire client.</summary>
public sealed class Service(string name, Uri url, SwfClient client)
{
    public Uri Url { get; } = url;

    public string Name { get; } = name;

    public SwfClient Client { get; } = client;

    public bool IsMoto => Name == Services.MotoName;

    public override string ToString() => Name;
}

/// <summary>
/// Starts moto_server and <c>flow dev</c> once for the whole suite, each on a free 127.0.0.1 port.
/// A missing moto_server fails every test; it never skips.
/// </summary>
[SetUpFixture]
public sealed class Services
{
    public const string MotoName = "moto";
    public const string DevName = "flow dev";

    /// <summary>How long flow dev holds an empty long poll here (SWF holds 60 s).</summary>
    public static readonly TimeSpan LongPollHold = TimeSpan.FromSeconds(2);

    private static MotoServer? _moto;
    private static DevServer? _dev;

    public static Service Moto { get; private set; } = null!;

    public static Service Dev { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartBoth()
    {
        var moto = MotoServer.StartAsync(TimeSpan.FromSeconds(60));
        var dev = DevServer.StartAsync("--memory", "--long-poll-seconds", ((int)LongPollHold.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        _moto = await moto;
        _dev = await dev;
        Moto = new Service(MotoName, _moto.Url, NewClient(_moto.Url));
        Dev = new Service(DevName, _dev.Url, NewClient(_dev.Url));
    }

    private static SwfClient NewClient(Uri url) =>
        // One attempt: a 500 from moto must show as itself, not be retried into something else.
        new(TestClients.Options(url) with { MaxAttempts = 1, LongPollTimeout = TimeSpan.FromSeconds(30) });

    [OneTimeTearDown]
    public async Task StopBoth()
    {
        Moto?.Client.Dispose();
        Dev?.Client.Dispose();
        _moto?.Dispose();
        if (_dev is not null)
            await _dev.DisposeAsync();
    }
}
