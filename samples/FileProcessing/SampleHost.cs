using Amazon.Runtime;
using Flow;
using Flow.Local;
using Flow.Swf;

namespace FileProcessing;

/// <summary>Where the sample's SWF lives: the embedded local service by default, an endpoint (flow dev, moto)
/// with --endpoint, or real SWF with --region and the default AWS credentials.</summary>
public sealed class SampleHost : IAsyncDisposable
{
    public const string Domain = FileProcessingWorkers.Domain;

    private readonly LocalSwf? _local;

    private SampleHost(ISwfClient swf, LocalSwf? local, string where)
    {
        Swf = swf;
        _local = local;
        Where = where;
    }

    public ISwfClient Swf { get; }

    /// <summary>One line saying which service the sample talks to.</summary>
    public string Where { get; }

    /// <param name="requestTimeout">How long each call to an endpoint waits for its answer; a person is waiting.</param>
    public static SampleHost Create(Uri? endpoint, string? region, string stateFolder, TimeSpan requestTimeout)
    {
        if (endpoint is not null)
        {
            // A local endpoint accepts any credentials; use the default chain when it has some.
            var credentials = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is null
                ? new BasicAWSCredentials("flow", "flow")
                : null;
            var client = new SwfClient(new SwfClientOptions
            {
                ServiceUrl = endpoint,
                Region = region ?? "us-east-1",
                Credentials = credentials,
                RequestTimeout = requestTimeout,
            });
            return new SampleHost(client, null, $"SWF endpoint {endpoint.OriginalString}");
        }
        if (region is not null)
            return new SampleHost(new SwfClient(new SwfClientOptions { Region = region, RequestTimeout = requestTimeout }), null, $"Amazon SWF in {region}");

        Directory.CreateDirectory(stateFolder);
        var db = Path.Combine(stateFolder, "flow.db");
        var local = new LocalSwf(new LocalSwfOptions { DatabasePath = db, LongPollHold = TimeSpan.FromSeconds(5) });
        return new SampleHost(new LocalSwfClient(local), local, $"embedded local SWF (SQLite {Path.GetRelativePath(Environment.CurrentDirectory, db)})");
    }

    public async Task RegisterDomainAsync(CancellationToken cancellationToken)
    {
        // A person is waiting: give up on an unreachable endpoint after a few seconds, not the worker's half minute.
        await new FlowRegistration(Swf, Domain) { MaxAttempts = 2 }.RegisterDomainAsync(retentionDays: 1, "Flow samples", cancellationToken);
    }

    /// <summary>The activity worker and the decider, as any host would start them.</summary>
    /// <remarks>The sample stops its workers once the run has closed: an activity still running then (a download the
    /// run gave up on) is of no use, so it is cancelled after two seconds rather than the usual thirty.</remarks>
    public (ActivityWorker Activities, WorkflowWorker Decider) CreateWorkers(HttpClient http, S3Uploads s3) =>
        FileProcessingWorkers.Create(Swf, http, s3, shutdownTimeout: TimeSpan.FromSeconds(2));

    public ValueTask DisposeAsync()
    {
        _local?.Dispose();
        (Swf as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }
}
