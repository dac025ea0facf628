using Flow.Cli.Tests;
using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;

namespace Flow.Hosting.Tests.Http;

/// <summary>One real <c>flow dev</c> process (in memory) for the tests of this namespace, reached over HTTP.</summary>
[SetUpFixture]
public sealed class FlowDev
{
    private static DevServer? s_server;

    public static Uri Url => s_server?.Url ?? throw new InvalidOperationException("flow dev is not running.");

    /// <summary>A wire client straight to flow dev, for the tests' own reads (no faults in between).</summary>
    public static SwfClient Direct { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        // Empty long polls end after 2 s, so stopping workers never waits long on one.
        s_server = await DevServer.StartAsync("--memory", "--long-poll-seconds", "2");
        Direct = new SwfClient(TestClients.Options(Url));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        Direct?.Dispose();
        if (s_server is not null)
        {
            TestContext.Progress.WriteLine(s_server.StandardError.Length > 0 ? "flow dev stderr:\n" + s_server.StandardError : "");
            await s_server.DisposeAsync();
        }
    }

    /// <summary>A wire client to <paramref name="url"/> with test-sized backoff.</summary>
    public static SwfClient Client(Uri url, int maxAttempts = 4) => new(TestClients.Options(url) with { MaxAttempts = maxAttempts });

    /// <summary>A new domain per test, so tests never see each other's runs.</summary>
    public static async Task<string> NewDomainAsync(string prefix)
    {
        string name = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        await Direct.RegisterDomainAsync(new RegisterDomainInput { Name = name, WorkflowExecutionRetentionPeriodInDays = "1" });
        return name;
    }
}
