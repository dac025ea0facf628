using System.IO.Compression;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Flow;

namespace FileProcessing;

/// <summary>The activities do real work on real files; every figure they report can be checked by hand
/// (sha256sum, wc -lw, gunzip).</summary>
/// <param name="s3">Uploads to s3:// buckets; null when the worker has no S3 configuration.</param>
public sealed class FileActivities(HttpClient http, S3Uploads? s3 = null) : IFileActivities
{
    /// <summary>RFC 1952's member for no data: the header (magic, deflate, no flags, no time, OS unknown), one final
    /// fixed-Huffman deflate block holding only its end code, then CRC-32 and length, both 0.</summary>
    private static readonly byte[] EmptyGzip =
        [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

    /// <summary>How often a long activity heartbeats while it works (the worker sends at most one a second).</summary>
    private static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromSeconds(1);

    public Task<Downloaded> DownloadAsync(string source, string workFolder)
    {
        var name = Path.GetFileName(Uri.TryCreate(source, UriKind.Absolute, out var uri) && !uri.IsFile ? uri.AbsolutePath : source);
        if (string.IsNullOrEmpty(name))
            name = "download";
        var target = Path.Combine(workFolder, name);
        return WritingAsync(workFolder, [target], async (done, token) =>
        {
            Directory.CreateDirectory(workFolder);
            await using (var output = File.Create(target))
            {
                if (uri is not null && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                {
                    using var response = await GetAsync(uri, token);
                    await using var body = await response.Content.ReadAsStreamAsync(token);
                    await CopyAsync(body, output, done, token);
                }
                else
                {
                    var path = uri is { IsFile: true } ? uri.LocalPath : source;
                    await using var input = File.OpenRead(path);
                    await CopyAsync(input, output, done, token);
                }
            }
            return new Downloaded(target, new FileInfo(target).Length);
        });
    }

    private async Task<HttpResponseMessage> GetAsync(Uri uri, CancellationToken token)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, token);
        }
        catch (OperationCanceledException e) when (!token.IsCancellationRequested)
        {
            // Not a cancel request: HttpClient gave up waiting (its Timeout). The server may answer next time.
            throw new TransientDownloadException($"{uri} did not answer within {http.Timeout.TotalSeconds:0.#} s.", e);
        }
        // The workflow's retry policy reads the reason: a 5xx, 408 (the server gave up waiting for us) or 429 (too many
        // requests) is worth asking again, after a backoff; any other 4xx gets the same answer every time.
        // (HttpRequestException, a refused or dropped connection, is on the policy's list too.)
        var status = (int)response.StatusCode;
        if (status >= 500 || response.StatusCode is System.Net.HttpStatusCode.RequestTimeout or System.Net.HttpStatusCode.TooManyRequests)
        {
            response.Dispose();
            throw new TransientDownloadException($"{uri} answered {status} {response.ReasonPhrase}.");
        }
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new DownloadRefusedException($"{uri} answered {status} {response.ReasonPhrase}.");
        }
        return response;
    }

    public Task<Processed> ProcessAsync(string localPath, string workFolder)
    {
        var compressed = Path.Combine(workFolder, Path.GetFileName(localPath) + ".gz");
        var reportPath = Path.Combine(workFolder, Path.GetFileName(localPath) + ".report.json");
        return WritingAsync(workFolder, [compressed, reportPath], async (done, token) =>
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long bytes = 0;
            var counter = new TextCounter();
            await using (var input = File.OpenRead(localPath))
            await using (var output = File.Create(compressed))
            await using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await input.ReadAsync(buffer, token)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    counter.Add(buffer.AsSpan(0, read));
                    await gzip.WriteAsync(buffer.AsMemory(0, read), token);
                    bytes += read;
                    done.Add(read);
                }
            }
            // GZipStream writes nothing at all, not even the header, when it was given no data (dotnet/runtime#66449):
            // a 0-byte file that every gunzip rejects. An empty input gets the gzip member of no data instead.
            if (bytes == 0)
                await File.WriteAllBytesAsync(compressed, EmptyGzip, token);
            var hex = Convert.ToHexStringLower(sha.GetHashAndReset());
            var processed = new Processed(compressed, reportPath, hex, bytes, new FileInfo(compressed).Length, counter.Lines, counter.Words);
            await File.WriteAllTextAsync(reportPath, ReportJson(localPath, processed), token);
            return processed;
        });
    }

    public async Task<Uploaded> UploadAsync(Processed processed, string bucket)
    {
        var context = ActivityExecutionContext.Current;
        var token = context?.CancellationToken ?? default;
        var done = new Done();
        await using var heartbeats = Heartbeats.Start(context, done);
        if (S3Location.IsS3(bucket))
        {
            if (!S3Location.TryParse(bucket, out var location, out var error))
                throw new ArgumentException(error, nameof(bucket));
            if (s3 is null)
                throw new InvalidOperationException($"This worker has no S3 configuration and cannot upload to {bucket}.");
            return new Uploaded(
                await s3.PutAsync(location, processed.CompressedPath, "application/gzip", token),
                await s3.PutAsync(location, processed.ReportPath, "application/json", token));
        }
        Directory.CreateDirectory(bucket);
        var compressed = Path.Combine(bucket, Path.GetFileName(processed.CompressedPath));
        var report = Path.Combine(bucket, Path.GetFileName(processed.ReportPath));
        await PublishAsync(processed.CompressedPath, compressed, done, token);
        await PublishAsync(processed.ReportPath, report, done, token);
        return new Uploaded(Path.GetFullPath(compressed), Path.GetFullPath(report));
    }

    public async Task DeleteAsync(string workFolder)
    {
        // An activity the workflow gave up on may still be writing here until it notices (and then removes what it
        // wrote itself): a folder that gains a file while it is being deleted is deleted again.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(workFolder))
                    Directory.Delete(workFolder, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt));
            }
        }
    }

    /// <summary>
    /// Runs work that writes <paramref name="outputs"/> into <paramref name="folder"/>, heartbeating meanwhile. When
    /// the workflow gives up on it (its cancel signal, its deadline), it runs its cleanup at once, possibly while this
    /// is still writing, or before this has even created the folder. So unless the work succeeds and a last heartbeat,
    /// after its last write, finds no cancel request, it removes what it wrote, and the folder if that leaves it empty:
    /// whichever of the two runs last leaves nothing behind.
    /// </summary>
    private static async Task<T> WritingAsync<T>(string folder, string[] outputs, Func<Done, CancellationToken, Task<T>> work)
    {
        var context = ActivityExecutionContext.Current;
        var token = context?.CancellationToken ?? default;
        var done = new Done();
        try
        {
            T result;
            await using (Heartbeats.Start(context, done))
                result = await work(done, token);
            if (context is not null)
                await context.HeartbeatNowAsync(done.Details);
            token.ThrowIfCancellationRequested();
            return result;
        }
        catch
        {
            foreach (var output in outputs)
                TryDelete(() => File.Delete(output));
            TryDelete(() => Directory.Delete(folder)); // only when empty: a later attempt may be writing there
            throw;
        }
    }

    private static void TryDelete(Action delete)
    {
        try
        {
            delete();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone already, or in use by someone else: the workflow's cleanup has it.
        }
    }

    private static async Task CopyAsync(Stream input, Stream output, Done done, CancellationToken token)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = await input.ReadAsync(buffer, token)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, read), token);
            done.Add(read);
        }
    }

    private static async Task PublishAsync(string from, string to, Done done, CancellationToken token)
    {
        // Write beside the target and move, so a crash never leaves a half-written object in the bucket.
        var temp = to + ".partial";
        try
        {
            await using (var input = File.OpenRead(from))
            await using (var output = File.Create(temp))
                await CopyAsync(input, output, done, token);
            File.Move(temp, to, overwrite: true);
        }
        catch
        {
            TryDelete(() => File.Delete(temp));
            throw;
        }
    }

    /// <summary>Bytes an activity has handled so far, the details of its heartbeats.</summary>
    private sealed class Done
    {
        private long _bytes;

        public void Add(int bytes) => Interlocked.Add(ref _bytes, bytes);

        public string Details => Interlocked.Read(ref _bytes).ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " bytes";
    }

    /// <summary>Heartbeats every <see cref="HeartbeatPeriod"/> until disposed, from the start and also while a server
    /// sends nothing: a cancel request is heard even then, and SWF sees the worker is alive.</summary>
    private sealed class Heartbeats : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        private Heartbeats(ActivityExecutionContext? context, Done done) =>
            _loop = context is null ? Task.CompletedTask : BeatAsync(context, done, _stop.Token);

        public static Heartbeats Start(ActivityExecutionContext? context, Done done) => new(context, done);

        private static async Task BeatAsync(ActivityExecutionContext context, Done done, CancellationToken stop)
        {
            using var timer = new PeriodicTimer(HeartbeatPeriod);
            try
            {
                do
                    await context.HeartbeatAsync(done.Details);
                while (await timer.WaitForNextTickAsync(stop));
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }

    private static string ReportJson(string source, Processed p)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("file", Path.GetFileName(source));
            w.WriteString("sha256", p.Sha256);
            w.WriteNumber("bytes", p.Bytes);
            w.WriteNumber("lines", p.Lines);
            w.WriteNumber("words", p.Words);
            w.WriteString("compressed", Path.GetFileName(p.CompressedPath));
            w.WriteNumber("compressedBytes", p.CompressedBytes);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}

/// <summary>Counts lines and words as <c>wc -l</c> and <c>wc -w</c> do, across buffer boundaries: a line ends at '\n',
/// a word is a run of bytes other than ' ', '\t', '\n', '\v', '\f' and '\r'. Counts are longs: a 2 GiB file of
/// newlines has more lines than an int holds.</summary>
internal sealed class TextCounter
{
    private bool _inWord;

    public long Lines { get; private set; }

    public long Words { get; private set; }

    public void Add(ReadOnlySpan<byte> bytes)
    {
        Lines += bytes.Count((byte)'\n');

        // A word starts at a byte that is not whitespace after one that is (or after the start of the text).
        uint previousSpace = _inWord ? 0u : 1u;
        long words = 0;
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // 16 bytes at a time: bit k of the mask is set when byte k is whitespace.
            for (; i + Vector128<byte>.Count <= bytes.Length; i += Vector128<byte>.Count)
            {
                var v = Vector128.Create(bytes.Slice(i, Vector128<byte>.Count));
                // '\t' to '\r' are 9 to 13: (b - 9) <= 4, unsigned.
                var space = Vector128.Equals(v, Vector128.Create((byte)' '))
                    | Vector128.LessThanOrEqual(v - Vector128.Create((byte)'\t'), Vector128.Create((byte)4));
                var mask = space.ExtractMostSignificantBits();
                words += BitOperations.PopCount(~mask & ((mask << 1) | previousSpace) & 0xFFFF);
                previousSpace = mask >> 15;
            }
        }
        for (; i < bytes.Length; i++)
        {
            var space = bytes[i] == (byte)' ' || (uint)(bytes[i] - '\t') <= 4;
            if (!space && previousSpace != 0)
                words++;
            previousSpace = space ? 1u : 0u;
        }
        Words += words;
        _inWord = previousSpace == 0;
    }
}

/// <summary>A download failure worth retrying: a 5xx, 408 or 429, or no answer within HttpClient's timeout.</summary>
public sealed class TransientDownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The server refused the download (a 4xx): asking again gets the same answer.</summary>
public sealed class DownloadRefusedException(string message) : Exception(message);
