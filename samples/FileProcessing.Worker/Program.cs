using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Amazon.Runtime;
using Flow;
using Flow.Swf;
using FileProcessing;

// The file-processing worker on its own: activities and decider, polling until Ctrl-C or SIGTERM.
const string Usage = """
    usage: FileProcessing.Worker (--endpoint URL | --region REGION) [--s3-endpoint URL] [--s3-region REGION]
      --endpoint URL        flow dev or any SWF-compatible endpoint (dummy credentials unless AWS_ACCESS_KEY_ID is set)
      --region REGION       Amazon SWF in REGION with the default AWS credentials (with --endpoint: the signing region)
      --s3-endpoint URL     an S3-compatible endpoint for s3:// buckets (path-style; else AWS_ENDPOINT_URL_S3, else Amazon S3)
      --s3-region REGION    the region of s3:// buckets (else AWS_REGION or the profile's)
    """;
long started = Stopwatch.GetTimestamp();
Uri? serviceUrl;
string? region;
S3Settings s3Settings;
try
{
    var line = CommandLine.Parse(args, ["--endpoint", "--region", "--s3-endpoint", "--s3-region"], ["--help", "-h"]);
    if (line.Has("--help") || line.Has("-h"))
    {
        Console.WriteLine(Usage);
        return 0;
    }
    if (line.Positional.Count > 0)
        throw new CommandLineException($"unexpected argument {line.Positional[0]}");
    serviceUrl = line.HttpUrl("--endpoint");
    region = line.Region("--region");
    if (serviceUrl is null && region is null)
        throw new CommandLineException("give --endpoint URL or --region REGION");
    s3Settings = S3Settings.From(line.HttpUrl("--s3-endpoint"), line.Region("--s3-region"));
}
catch (CommandLineException e)
{
    Console.Error.WriteLine($"error: {e.Message} (FileProcessing.Worker --help lists the options)");
    return 2;
}

using var stop = new CancellationTokenSource();
// Ctrl-C and SIGTERM (docker stop, systemd, kill) both mean: stop polling, finish what is in flight, exit.
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    if (!stop.IsCancellationRequested)
        Console.WriteLine($"{context.Signal}: stopping (in-flight tasks finish first)");
    stop.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

using var probe = new FirstPollProbe(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
    operation => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"first poll ({operation}) {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0} ms after Main started")));
using var swf = new SwfClient(new SwfClientOptions
{
    ServiceUrl = serviceUrl,
    Region = region ?? "us-east-1",
    // A local endpoint takes any credentials; the default chain is used when the environment has some.
    Credentials = serviceUrl is not null && Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is null
        ? new BasicAWSCredentials("flow", "flow")
        : null,
    HttpHandler = probe,
});
using var http = new HttpClient();
using var s3 = new S3Uploads(s3Settings);

var (activities, decider) = FileProcessingWorkers.Create(swf, http, s3);
try
{
    await new FlowRegistration(swf, FileProcessingWorkers.Domain).RegisterDomainAsync(retentionDays: 1, "Flow samples", stop.Token);
    // Both register their types and start polling; neither waits for the other.
    await Task.WhenAll(activities.StartAsync(stop.Token), decider.StartAsync(stop.Token));
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 0;
}
catch (Exception e) when (e is SwfException or HttpRequestException or TimeoutException or FlowRegistrationException)
{
    // An unreachable or silent endpoint, a refused registration: the options are wrong.
    Console.Error.WriteLine($"error: cannot start the worker on {serviceUrl?.ToString() ?? region}: {FirstLine(e.Message)}");
    return 2;
}
catch (AmazonClientException)
{
    // The signer asks the default credential chain on the first call; the SDK's message spans many lines.
    Console.Error.WriteLine($"error: cannot start the worker on {serviceUrl?.ToString() ?? region}: no AWS credentials found " +
        "(set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with AWS_PROFILE)");
    return 2;
}
Console.WriteLine($"FileProcessing.Worker {activities.Identity} polling {activities.TaskList} and {decider.TaskList} " +
    $"in domain {FileProcessingWorkers.Domain} on {serviceUrl?.ToString() ?? region}");

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
await Task.WhenAll(decider.StopAsync(), activities.StopAsync());
Console.WriteLine("stopped");
return 0;

static string FirstLine(string text) => text.IndexOf('\n') is var newline and >= 0 ? text[..newline].TrimEnd('\r') : text;
