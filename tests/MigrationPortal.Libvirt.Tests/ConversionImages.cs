using System.Security.Cryptography;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Libvirt.Tests;

/// <summary>
/// Disk images for the conversion tests, made once per test run with the stock tools, and the sparse feeder that stands
/// in for the disk converter: it reads an image and gives the sink its data as writes and its runs of zeros as holes.
/// </summary>
public static class ConversionImages
{
    public const long GiB = 1024L * 1024 * 1024;
    public const long MiB = 1024L * 1024;

    private static readonly string Dir = Path.Combine("/var/tmp", $"mp-conversion-images-{Environment.ProcessId}");
    private static readonly SemaphoreSlim Lock = new(1, 1);
    private static (string Path, string PayloadSha256)? _ext4;

    /// <summary>A 1 GiB raw ext4 image holding a 200 MiB random payload file (mke2fs -d), and that payload's SHA-256.</summary>
    public static async Task<(string Path, string PayloadSha256)> Ext4WithPayloadAsync()
    {
        await Lock.WaitAsync();
        try
        {
            if (_ext4 is { } made) return made;
            // Earlier test processes' images (1 GiB sparse each): this process makes its own.
            foreach (var stale in Directory.GetDirectories("/var/tmp", "mp-conversion-images-*").Where(d => d != Dir)) Directory.Delete(stale, recursive: true);
            Directory.CreateDirectory(Path.Combine(Dir, "root"));
            var payload = Path.Combine(Dir, "root", "payload.bin");
            var bytes = RandomNumberGenerator.GetBytes((int)(200 * MiB));
            await File.WriteAllBytesAsync(payload, bytes);
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            var image = Path.Combine(Dir, "ext4-1g.raw");
            await LibvirtLab.RunAsync("mke2fs", ["-q", "-F", "-t", "ext4", "-d", Path.Combine(Dir, "root"), image, "1G"]);
            File.Delete(payload);
            return (_ext4 = (image, sha)).Value;
        }
        finally
        {
            Lock.Release();
        }
    }

    /// <summary>
    /// Feeds an image to the sink as a converter would: 64 KiB blocks, all-zero blocks as holes, the rest as data, in
    /// order; then finishes. Returns the bytes sent as data.
    /// </summary>
    public static async Task<long> FeedAsync(string image, IDiskSink sink, CancellationToken ct, bool finish = true, long? stopAfter = null)
    {
        const int block = 64 * 1024;
        var buffer = new byte[4 * MiB];
        long data = 0;
        await using var file = new FileStream(image, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        while (true)
        {
            var read = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
            if (read == 0) break;
            var offset = 0;
            while (offset < read)
            {
                var zero = IsZero(buffer.AsSpan(offset, Math.Min(block, read - offset)));
                var end = offset;
                while (end < read && IsZero(buffer.AsSpan(end, Math.Min(block, read - end))) == zero) end += Math.Min(block, read - end);
                if (zero) await sink.SkipAsync(end - offset, ct);
                else
                {
                    await sink.WriteAsync(buffer.AsMemory(offset, end - offset), ct);
                    data += end - offset;
                }

                offset = end;
            }

            if (stopAfter is { } limit && sink.Position >= limit) return data;
        }

        if (finish) await sink.FinishAsync(ct);
        return data;
    }

    private static bool IsZero(ReadOnlySpan<byte> span) => !span.ContainsAnyExcept((byte)0);
}
