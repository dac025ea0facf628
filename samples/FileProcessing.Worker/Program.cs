using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Amazon.Runtime;
using Flow;
using Flow.Swf;
using FileProcessing;

// The file-processing worker on its own: activities and decider, polling until Ctrl-C or SIGTERM.
//   FileProcessing.Worker --endpoint URL      flow dev or any SWF-compatible endpoint (dummy credentials unless
//                                             AWS_ACCESS_KEY_ID is set)
//   FileProcessing.Worker --region REGION     Amazon SWF with the default AWS credentials
long started = Stopwatch.GetTimestamp();
string? endpoint = null, region = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--endpoint" when i + 1 < args.Length: endpoint = args[++i]; break;
        case "--region" when i + 1 < args.Length: region = args[++i]; break;
        default:
            Console.Error.WriteLine("usage: FileProcessing.Worker --endpoint URL | --region REGION");
            return 2;
    }
}
if (endpoint is null && region is null)
{
    Console.Error.WriteLine("usage: FileProcessing.Worker --endpoint URL | --region REGION");
    return 2;
}
Uri? serviceUrl = null;
if (endpoint is not null && (!Uri.TryCreate(endpoint, UriKind.Absolute, out serviceUrl) || serviceUrl.Scheme is not ("http" or "https")))
{
    Console.Error.WriteLine($"error: --endpoint {endpoint} is not an http(s) URL");
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

var (activities, decider) = FileProcessingWorkers.Create(swf, http);
try
{
    await new FlowRegistration(swf, FileProcessingWorkers.Domain).RegisterDomainAsync(retentionDays: 1, stop.Token, "Flow samples");
    // Both register their types and start polling; neither waits for the other.
    await Task.WhenAll(activities.StartAsync(stop.Token), decider.StartAsync(stop.Token));
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 0;
}
catch (Exception e) when (e is SwfException or HttpRequestException or FlowRegistrationException)
{
    Console.Error.WriteLine($"error: cannot start the worker on {serviceUrl?.ToString() ?? region}: {e.Message}");
    return 1;
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
