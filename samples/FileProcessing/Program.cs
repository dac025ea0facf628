using System.Globalization;
using Flow;
using Flow.Swf;
using FileProcessing;

// dotnet run --project samples/FileProcessing -- <input path or URL> [--bucket DIR] [--endpoint URL] [--region R] [--timeout SECONDS] [--no-workers]
// --no-workers starts the execution and waits for its result while another process (FileProcessing.Worker) does the work.
var (source, bucket, endpoint, region, timeout, noWorkers) = ParseArguments(args);
if (source is null)
{
    Console.Error.WriteLine("usage: FileProcessing <input path or URL> [--bucket DIR] [--endpoint URL] [--region REGION] [--timeout SECONDS] [--no-workers]");
    return 2;
}
if (!Uri.TryCreate(source, UriKind.Absolute, out var sourceUri) || sourceUri.IsFile)
{
    source = Path.GetFullPath(source);
    if (!File.Exists(source))
    {
        Console.Error.WriteLine($"error: no file at {source}");
        return 2;
    }
}

var stateFolder = Path.GetFullPath(".flow");
bucket = Path.GetFullPath(bucket ?? Path.Combine(stateFolder, "bucket"));
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

await using var host = SampleHost.Create(endpoint, region, stateFolder);
Console.WriteLine($"Flow file-processing sample on {host.Where}");
await host.RegisterDomainAsync(stop.Token);

using var http = new HttpClient();
var (activityWorker, decider) = host.CreateWorkers(http);
if (noWorkers)
{
    // The worker may not have registered the type yet; registering it here too is harmless.
    await new FlowRegistration(host.Swf, SampleHost.Domain).RegisterWorkflowTypeAsync(FileProcessingDispatch.Definition, null, stop.Token);
}
else
{
    await activityWorker.StartAsync(stop.Token);
    await decider.StartAsync(stop.Token);
}

var client = new FileProcessingClient(new WorkflowClient(host.Swf, SampleHost.Domain));
var workflowId = $"file-processing-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
var job = new Job(source, bucket, Path.Combine(stateFolder, "work", workflowId), timeout);
var run = await client.StartAsync(workflowId, job, cancellationToken: stop.Token);
Console.WriteLine($"Started {run.WorkflowId} (run {run.RunId})");

// Live progress: the decider's [GetState] value and the activity events, as they happen.
var history = new List<HistoryEvent>();
var result = run.GetResultAsync(stop.Token);
var shown = 0L;
Stage? lastStage = null;
while (true)
{
    var done = result.IsCompleted;
    history = await client.Client.GetHistoryAsync(run.Execution, stop.Token);
    foreach (var e in history.Where(e => e.EventId > shown))
    {
        if (Describe(e, history) is { } line)
            Console.WriteLine($"  {line}");
        shown = e.EventId;
    }

    var progress = await run.GetStateAsync(stop.Token);
    if (progress is not null && progress.Stage != lastStage)
    {
        lastStage = progress.Stage;
        Console.WriteLine($"  stage {progress.Stage,-11} {progress.Bytes,10:N0} bytes  {progress.Detail}");
    }
    if (done)
        break;
    await Task.WhenAny(result, Task.Delay(100, stop.Token));
}

int exitCode;
try
{
    var report = await result;
    Console.WriteLine();
    Console.WriteLine($"Report for {report.Source}");
    Console.WriteLine($"  sha256      {report.Sha256}");
    Console.WriteLine($"  bytes       {report.Bytes:N0} ({report.CompressedBytes:N0} compressed)");
    Console.WriteLine($"  lines       {report.Lines:N0}");
    Console.WriteLine($"  words       {report.Words:N0}");
    Console.WriteLine($"Uploaded to");
    Console.WriteLine($"  {report.CompressedLocation}");
    Console.WriteLine($"  {report.ReportLocation}");
    exitCode = 0;
}
catch (WorkflowFailedException e)
{
    Console.WriteLine();
    Console.WriteLine($"The workflow closed as {e.Status}: {e.Reason}");
    exitCode = 1;
}

Console.WriteLine();
Console.WriteLine($"History of {run.WorkflowId} ({history.Count} events)");
var start = history.Count > 0 ? history[0].EventTimestamp : default;
foreach (var e in history)
    Console.WriteLine($"  {e.EventId,3}  +{(e.EventTimestamp - start).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture),7}s  {e.EventType}");

if (!noWorkers)
{
    await decider.StopAsync();
    await activityWorker.StopAsync();
}
return exitCode;

// One line per activity step, named by the event that scheduled it (history is in event id order, ids from 1).
static string? Describe(HistoryEvent e, List<HistoryEvent> history)
{
    string Activity(long scheduledEventId) =>
        history[(int)scheduledEventId - 1].ActivityTaskScheduledEventAttributes is { } s ? $"{s.ActivityType.Name} (id {s.ActivityId})" : "?";
    return e.EventType switch
    {
        EventType.ActivityTaskScheduled => $"activity {Activity(e.EventId)} scheduled",
        EventType.ActivityTaskCompleted => $"activity {Activity(e.ActivityTaskCompletedEventAttributes!.ScheduledEventId)} completed",
        EventType.ActivityTaskFailed => $"activity {Activity(e.ActivityTaskFailedEventAttributes!.ScheduledEventId)} failed: {e.ActivityTaskFailedEventAttributes.Reason}",
        EventType.ActivityTaskTimedOut => $"activity {Activity(e.ActivityTaskTimedOutEventAttributes!.ScheduledEventId)} timed out ({e.ActivityTaskTimedOutEventAttributes.TimeoutType})",
        EventType.TimerStarted => $"timer {e.TimerStartedEventAttributes!.TimerId} started ({e.TimerStartedEventAttributes.StartToFireTimeout} s)",
        EventType.WorkflowExecutionSignaled => $"signal {e.WorkflowExecutionSignaledEventAttributes!.SignalName}",
        _ => null,
    };
}

static (string? Source, string? Bucket, string? Endpoint, string? Region, int Timeout, bool NoWorkers) ParseArguments(string[] args)
{
    string? source = null, bucket = null, endpoint = null, region = null;
    var timeout = 600;
    var noWorkers = false;
    for (var i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--bucket": bucket = Next(); break;
            case "--endpoint": endpoint = Next(); break;
            case "--region": region = Next(); break;
            case "--timeout": timeout = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--no-workers": noWorkers = true; break;
            default: source ??= args[i]; break;
        }
    }
    return (source, bucket, endpoint, region, timeout, noWorkers);
}
