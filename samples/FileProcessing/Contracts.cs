using Flow;

namespace FileProcessing;

/// <summary>The file-processing job, the classic from the AWS Flow Framework docs:
/// download a file, process it, upload the result to a bucket, clean up.</summary>
[Workflow(Version = "1.0", TaskList = "file-processing-decisions",
    ExecutionStartToClose = "01:00:00", TaskStartToClose = "00:00:30", ChildPolicy = "TERMINATE")]
public partial interface IFileProcessing
{
    [Execute]
    Task<Report> RunAsync(Job job);

    /// <summary>Stops the job at the next step; the working folder is still cleaned.</summary>
    [Signal]
    Task CancelAsync(string reason);

    [GetState]
    Progress Status { get; }
}

[Activities(Version = "1.0", TaskList = "file-processing",
    ScheduleToStart = "00:05:00", StartToClose = "00:05:00", ScheduleToClose = "00:10:00", Heartbeat = "NONE")]
public partial interface IFileActivities
{
    // The long activities heartbeat every second while they work: that is how a cancel request reaches them (as
    // their CancellationToken), and a worker that died is noticed after 30 s instead of at the 5-minute timeout.

    /// <summary>Copies a local path or an http(s) URL into the working folder.</summary>
    [Activity(Heartbeat = "00:00:30")]
    Task<Downloaded> DownloadAsync(string source, string workFolder);

    /// <summary>SHA-256, line and word counts, a gzip copy and a JSON report next to it.</summary>
    [Activity(Heartbeat = "00:00:30")]
    Task<Processed> ProcessAsync(string localPath, string workFolder);

    /// <summary>Puts the processed files into the bucket: a local folder, or s3://bucket/prefix.</summary>
    [Activity(Heartbeat = "00:00:30")]
    Task<Uploaded> UploadAsync(Processed processed, string bucket);

    Task DeleteAsync(string workFolder);
}

public sealed record Job(string Source, string Bucket, string WorkFolder, int TimeoutSeconds = 600);

public sealed record Downloaded(string LocalPath, long Bytes);

public sealed record Processed(string CompressedPath, string ReportPath, string Sha256, long Bytes, long CompressedBytes, long Lines, long Words);

public sealed record Uploaded(string CompressedLocation, string ReportLocation);

public sealed record Report(string Source, string Sha256, long Bytes, long CompressedBytes, long Lines, long Words,
    string CompressedLocation, string ReportLocation);

public enum Stage { Starting, Downloading, Processing, Uploading, Cleaning, Done, Canceled, Failed }

public sealed record Progress(Stage Stage, long Bytes, string? Detail);
