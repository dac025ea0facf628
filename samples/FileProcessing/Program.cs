using System.Globalization;
using Amazon.Runtime;
using Flow;
using Flow.Swf;
using FileProcessing;

const string Usage = """
    usage: FileProcessing <input path or http(s) URL> [options]
      --bucket DIR|s3://BUCKET/PREFIX  where the .gz copy and the report go (default .flow/bucket)
      --endpoint URL                   flow dev or any SWF-compatible endpoint (default: the embedded local service)
      --region REGION                  Amazon SWF in REGION with the default AWS credentials
      --s3-endpoint URL                an S3-compatible endpoint for s3:// buckets (else AWS_ENDPOINT_URL_S3, else Amazon S3)
      --s3-region REGION               the region of s3:// buckets (else AWS_REGION or the profile's)
      --timeout SECONDS                the timer that bounds the whole job (default 600, at most 86400)
      --request-timeout SECONDS        how long each call to an SWF endpoint waits for its answer (default 10)
      --no-workers                     start the run and wait for it; FileProcessing.Worker does the work
    Ctrl-C once sends the run the Cancel signal; twice stops waiting.
    """;

Options options;
try
{
    options = Options.Parse(args);
}
catch (CommandLineException e)
{
    Console.Error.WriteLine($"error: {e.Message} (--help lists the options)");
    return 2;
}
if (options.Help)
{
    Console.WriteLine(Usage);
    return 0;
}

var stateFolder = options.StateFolder;
var bucket = options.Bucket ?? Path.Combine(stateFolder, "bucket");
if (!S3Location.IsS3(bucket))
    bucket = Path.GetFullPath(bucket);

// Ctrl-C once: send the run the Cancel signal and watch it clean up. Twice: stop waiting.
using var stop = new CancellationTokenSource();
var interrupts = 0;
var interrupted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    if (Interlocked.Increment(ref interrupts) == 1)
        interrupted.TrySetResult();
    else
        stop.Cancel();
};

SampleHost created;
try
{
    created = SampleHost.Create(options.Endpoint, options.Region, stateFolder, options.RequestTimeout);
}
catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or System.Data.Common.DbException)
{
    // Another sample holds the embedded store (.flow/flow.db), or the file is not a store.
    Console.Error.WriteLine($"error: cannot open the embedded service's store: {FirstLine(e.Message)}");
    return 2;
}
await using var host = created;
using var http = new HttpClient();
using var s3 = new S3Uploads(S3Settings.From(options.S3Endpoint, options.S3Region));
var (activityWorker, decider) = host.CreateWorkers(http, s3);
var workersStarted = false;
try
{
    Console.WriteLine($"Flow file-processing sample on {host.Where}");
    await host.RegisterDomainAsync(stop.Token);
    if (options.NoWorkers)
    {
        // The worker may not have registered the type yet; registering it here too is harmless.
        await new FlowRegistration(host.Swf, SampleHost.Domain).RegisterWorkflowTypeAsync(FileProcessingDispatch.Definition, null, stop.Token);
    }
    else
    {
        await activityWorker.StartAsync(stop.Token);
        await decider.StartAsync(stop.Token);
        workersStarted = true;
    }
    return await RunAsync();
}
catch (Exception e) when (e is SwfException or HttpRequestException or TimeoutException or FlowRegistrationException)
{
    // An unreachable or silent endpoint, a refused registration: the options are wrong.
    Console.Error.WriteLine($"error: cannot use {host.Where}: {FirstLine(e.Message)}");
    return 2;
}
catch (AmazonClientException)
{
    // The signer asks the default credential chain on the first call (SWF's own faults are SwfExceptions); the
    // SDK's message lists every provider it tried, over many lines.
    Console.Error.WriteLine($"error: cannot use {host.Where}: no AWS credentials found " +
        "(set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with AWS_PROFILE)");
    return 2;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("stopped waiting (Ctrl-C twice); the run, if it started, goes on");
    return 130;
}
finally
{
    if (workersStarted)
    {
        await decider.StopAsync();
        await activityWorker.StopAsync();
    }
}

async Task<int> RunAsync()
{
    var client = new FileProcessingClient(new WorkflowClient(host.Swf, SampleHost.Domain));
    var workflowId = $"file-processing-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
    var job = new Job(options.Source, bucket, Path.Combine(stateFolder, "work", workflowId), options.TimeoutSeconds);
    // The job's own timer must fire before SWF's execution timeout, so that a slow job still cleans up.
    var run = await client.StartAsync(workflowId, job,
        new WorkflowStartOptions { ExecutionStartToCloseTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds + 300) }, stop.Token);
    Console.WriteLine($"Started {run.WorkflowId} (run {run.RunId})");

    // Live progress: the activity events, as they happen, and the decider's [GetState] value.
    var history = new List<HistoryEvent>();
    var result = run.GetResultAsync(stop.Token);
    var shown = 0L;
    Stage? lastStage = null;
    var signaled = false;
    while (true)
    {
        var done = result.IsCompleted;
        if (!signaled && interrupted.Task.IsCompleted && !done)
        {
            signaled = true;
            Console.WriteLine("  Ctrl-C: sending the Cancel signal");
            await run.CancelAsync("Ctrl-C", stop.Token);
        }
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
        await Task.WhenAny(result, signaled ? result : interrupted.Task, Task.Delay(100, stop.Token));
    }

    int exitCode;
    string? error = null;
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
        var message = FailureMessage(e.Details);
        Console.WriteLine();
        Console.WriteLine($"The workflow closed as {e.Status}: {e.Reason}{(message is null ? "" : ": " + message)}");
        // An input that cannot be read is the caller's mistake, like a bad option; anything else is a failure.
        if (e.Reason == typeof(DownloadFailedException).FullName)
        {
            error = message;
            exitCode = 2;
        }
        else
        {
            exitCode = 1;
        }
    }

    Console.WriteLine();
    Console.WriteLine($"History of {run.WorkflowId} ({history.Count} events)");
    var start = history.Count > 0 ? history[0].EventTimestamp : default;
    foreach (var e in history)
        Console.WriteLine($"  {e.EventId,3}  +{(e.EventTimestamp - start).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture),7}s  {e.EventType}");
    if (error is not null)
        Console.Error.WriteLine($"error: {error}");
    return exitCode;
}

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

// Flow's decider records a failed run's details as the exception's message, a newline, then its stack trace;
// a person reads the message.
static string? FailureMessage(string? details) => details is null ? null : FirstLine(details);

static string FirstLine(string text) => text.IndexOf('\n') is var newline and >= 0 ? text[..newline].TrimEnd('\r') : text;

/// <summary>The sample's options, checked before anything starts: each mistake is one line and exit code 2.</summary>
/// <param name="StateFolder">.flow under the current folder: the embedded store, working folders, the default bucket.</param>
internal sealed record Options(string Source, string? Bucket, Uri? Endpoint, string? Region, Uri? S3Endpoint, string? S3Region,
    int TimeoutSeconds, TimeSpan RequestTimeout, bool NoWorkers, string StateFolder, bool Help)
{
    public static Options Parse(string[] args)
    {
        var line = CommandLine.Parse(args,
            ["--bucket", "--endpoint", "--region", "--s3-endpoint", "--s3-region", "--timeout", "--request-timeout"], ["--no-workers", "--help", "-h"]);
        if (line.Has("--help") || line.Has("-h"))
            return new Options("", null, null, null, null, null, 0, TimeSpan.Zero, false, "", Help: true);
        if (line.Positional.Count == 0)
            throw new CommandLineException("give the input: a file path or an http(s) URL");
        if (line.Positional.Count > 1)
            throw new CommandLineException($"one input only, not also {line.Positional[1]}");

        var bucket = line["--bucket"];
        if (bucket is not null && S3Location.IsS3(bucket) && !S3Location.TryParse(bucket, out _, out var bucketError))
            throw new CommandLineException($"--bucket: {bucketError}");
        if (bucket is not null && !S3Location.IsS3(bucket) && bucket.Contains("://", StringComparison.Ordinal))
            throw new CommandLineException($"--bucket {bucket} is neither a folder nor an s3:// location");

        var source = CheckSource(line.Positional[0]);
        var endpoint = line.HttpUrl("--endpoint");
        var region = line.Region("--region");
        if (line.Has("--no-workers") && endpoint is null && region is null)
            throw new CommandLineException(
                "--no-workers needs --endpoint or --region: the embedded service lives inside this process, so no other worker can take its tasks");

        // Folders the run will write to: a file in the way would fail the run later, in an activity.
        var stateFolder = Path.GetFullPath(".flow");
        if (FolderProblem(stateFolder) is { } stateProblem)
            throw new CommandLineException($"{stateFolder} (the sample's state folder) {stateProblem}");
        if (bucket is not null && !S3Location.IsS3(bucket))
        {
            bucket = Path.GetFullPath(bucket);
            if (FolderProblem(bucket) is { } bucketProblem)
                throw new CommandLineException($"--bucket {bucket} {bucketProblem}");
        }

        return new Options(source, bucket, endpoint, region, line.HttpUrl("--s3-endpoint"), line.Region("--s3-region"),
            line.Seconds("--timeout", 600, 1, 86400), line.Duration("--request-timeout", 10, 0.1, 300), line.Has("--no-workers"),
            stateFolder, Help: false);
    }

    /// <summary>Why <paramref name="path"/> cannot be a folder (it, or the nearest part of it that exists, is a file); null when it can.</summary>
    private static string? FolderProblem(string path)
    {
        for (var at = path; !string.IsNullOrEmpty(at); at = Path.GetDirectoryName(at))
        {
            if (Directory.Exists(at))
                return null;
            if (File.Exists(at))
                return at == path ? "is a file, not a folder" : $"is under {at}, which is a file";
        }
        return null;
    }

    /// <summary>An http(s) URL as given, or the full path of a file that exists.</summary>
    private static string CheckSource(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new CommandLineException("the input is empty: give a file path or an http(s) URL");
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && !url.IsFile)
        {
            if (url.Scheme is not ("http" or "https") || url.Host.Length == 0)
                throw new CommandLineException($"{text} is neither a file nor an http(s) URL");
            return text;
        }
        var path = Path.GetFullPath(url is { IsFile: true } ? url.LocalPath : text);
        if (Directory.Exists(path))
            throw new CommandLineException($"{path} is a folder; give a file");
        if (!File.Exists(path))
            throw new CommandLineException($"no file at {path}");
        return path;
    }
}
