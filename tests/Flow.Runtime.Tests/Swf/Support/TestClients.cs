using Amazon.Runtime;
using Flow.Swf;

namespace Flow.Runtime.Tests.Swf.Support;

internal static class TestClients
{
    /// <summary>Dummy credentials: every test signs, none reaches AWS.</summary>
    public static readonly BasicAWSCredentials Dummy = new("AKIDEXAMPLE", "dummy-secret-key");

    /// <summary>Options for a client of a local server, with backoff short enough for tests.</summary>
    public static SwfClientOptions Options(Uri url) => new()
    {
        ServiceUrl = url,
        Region = "us-east-1",
        Credentials = Dummy,
        BaseRetryDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(10),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };
}
