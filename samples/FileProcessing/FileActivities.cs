using System.IO.Compression;
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
    public async Task<Downloaded> DownloadAsync(string source, string workFolder)
    {
        Directory.CreateDirectory(workFolder);
        var name = Path.GetFileName(Uri.TryCreate(source, UriKind.Absolute, out var uri) && !uri.IsFile ? uri.AbsolutePath : source);
        if (string.IsNullOrEmpty(name))
            name = "download";
        var target = Path.Combine(workFolder, name);
        var token = ActivityExecutionContext.Current?.CancellationToken ?? default;

        await using (var output = File.Create(target))
        {
            if (uri is not null && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, token);
                // A 5xx is worth retrying; a 4xx is not (the workflow's retry policy reads the reason, and
                // HttpRequestException, a dropped connection, is on its list).
                if ((int)response.StatusCode >= 500)
                    throw new TransientDownloadException($"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
                if (!response.IsSuccessStatusCode)
                    throw new DownloadRefusedException($"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
                await response.Content.CopyToAsync(output, token);
            }
            else
            {
                var path = uri is { IsFile: true } ? uri.LocalPath : source;
                await using var input = File.OpenRead(path);
                await input.CopyToAsync(output, token);
            }
        }
        return new Downloaded(target, new FileInfo(target).Length);
    }

    public async Task<Processed> ProcessAsync(string localPath, string workFolder)
    {
        var token = ActivityExecutionContext.Current?.CancellationToken ?? default;
        var compressed = Path.Combine(workFolder, Path.GetFileName(localPath) + ".gz");
        var reportPath = Path.Combine(workFolder, Path.GetFileName(localPath) + ".report.json");

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
            }
        }
        var hex = Convert.ToHexStringLower(sha.GetHashAndReset());
        var processed = new Processed(compressed, reportPath, hex, bytes, new FileInfo(compressed).Length, counter.Lines, counter.Words);
        await File.WriteAllTextAsync(reportPath, ReportJson(localPath, processed), token);
        return processed;
    }

    public async Task<Uploaded> UploadAsync(Processed processed, string bucket)
    {
        var token = ActivityExecutionContext.Current?.CancellationToken ?? default;
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
        await CopyAsync(processed.CompressedPath, compressed, token);
        await CopyAsync(processed.ReportPath, report, token);
        return new Uploaded(Path.GetFullPath(compressed), Path.GetFullPath(report));
    }

    public Task DeleteAsync(string workFolder)
    {
        if (Directory.Exists(workFolder))
            Directory.Delete(workFolder, recursive: true);
        return Task.CompletedTask;
    }

    private static async Task CopyAsync(string from, string to, CancellationToken token)
    {
        // Write beside the target and move, so a crash never leaves a half-written object in the bucket.
        var temp = to + ".partial";
        await using (var input = File.OpenRead(from))
        await using (var output = File.Create(temp))
            await input.CopyToAsync(output, token);
        File.Move(temp, to, overwrite: true);
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

    /// <summary>Counts lines and words as <c>wc -l</c> and <c>wc -w</c> do, across buffer boundaries.</summary>
    private sealed class TextCounter
    {
        private bool _inWord;
        public int Lines { get; private set; }
        public int Words { get; private set; }

        public void Add(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                if (b == (byte)'\n')
                    Lines++;
                var space = b is (byte)' ' or (byte)'\n' or (byte)'\t' or (byte)'\r' or (byte)'\v' or (byte)'\f';
                if (!space && !_inWord)
                    Words++;
                _inWord = !space;
            }
        }
    }
}

/// <summary>A download failure worth retrying (a 5xx).</summary>
public sealed class TransientDownloadException(string message) : Exception(message);

/// <summary>The server refused the download (a 4xx): asking again gets the same answer.</summary>
public sealed class DownloadRefusedException(string message) : Exception(message);
