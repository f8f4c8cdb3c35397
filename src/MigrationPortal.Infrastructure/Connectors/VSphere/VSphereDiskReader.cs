using System.Net;
using System.Text;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>
/// One exported disk read at any offset with HTTP Range requests through vCenter's pinned session. It keeps one response
/// open: a read where the last one ended continues it, a read elsewhere starts a new open-ended range there. qemu-img
/// reads sequentially in chunks of up to 2 MiB, so a conversion costs a handful of requests, not one per chunk. Any
/// failure (connection cut, HTTP error, a response that ends early, no data for the request timeout, the lease ended)
/// is a <see cref="ConnectorException"/> naming vCenter and the disk, with the server's own words.
/// </summary>
public sealed class VSphereDiskReader : IRandomAccessDisk
{
    private const int MaxErrorText = 2048;

    private readonly VimClient _client;
    private readonly VSphereDiskSource _source;
    private readonly VSphereDiskExport _export;
    private readonly string _vmName;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private HttpResponseMessage? _response;
    private Stream? _stream;
    private long _position = -1;

    private VSphereDiskReader(VimClient client, VSphereDiskSource source, VSphereDiskExport export, string vmName)
    {
        _client = client;
        _source = source;
        _export = export;
        _vmName = vmName;
    }

    public long Length { get; private set; } = -1;

    public DiskImageFormat Format => _source.Disk.Format;

    /// <summary>How many HTTP requests the reader has made (tests and logs: sequential reads must not add any).</summary>
    public int Requests { get; private set; }

    private string What => $"{_source.Disk.Label} of {_vmName} ({_source.Disk.Location})";

    /// <summary>Opens the disk at byte 0 (which the first read continues) and learns its length from the server.</summary>
    public static async Task<VSphereDiskReader> OpenAsync(VimClient client, VSphereDiskSource source, VSphereDiskExport export, string vmName, CancellationToken ct)
    {
        var reader = new VSphereDiskReader(client, source, export, vmName);
        try
        {
            await reader.OpenAtAsync(0, ct);
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }

        if (source.Disk.Format == DiskImageFormat.Raw && reader.Length != source.Disk.CapacityBytes)
        {
            var length = reader.Length;
            await reader.DisposeAsync();
            throw new ConnectorException("DiskSizeMismatch",
                $"vCenter {client.Authority} serves {length} bytes for the flat extent of {reader.What}, but the disk's capacity is {source.Disk.CapacityBytes} bytes.");
        }

        return reader;
    }

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        _export.ThrowIfUnusable(_source.Disk.Label);
        if (offset >= Length || buffer.Length == 0) return 0;
        await _gate.WaitAsync(ct);
        try
        {
            if (_stream is null || _position != offset) await OpenAtAsync(offset, ct);
            var want = (int)Math.Min(buffer.Length, Length - offset);
            var total = 0;
            while (total < want)
            {
                int n;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    timeout.CancelAfter(_client.RequestTimeout);
                    try
                    {
                        n = await _stream!.ReadAsync(buffer[total..want], timeout.Token);
                    }
                    catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
                    {
                        throw await FailAsync("Timedout", $"no data came for {_client.RequestTimeout.TotalSeconds:0} s", e);
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException)
                    {
                        throw await FailAsync("DiskReadFailed", $"the connection failed: {e.Message}", e);
                    }
                }

                if (n == 0) throw await FailAsync("DiskReadFailed", $"the server ended the response at byte {_position} of {Length}", null);
                total += n;
                _position += n;
            }

            return total;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close();
        _gate.Dispose();
        await ValueTask.CompletedTask;
    }

    private async Task OpenAtAsync(long offset, CancellationToken ct)
    {
        Close();
        HttpResponseMessage response;
        try
        {
            Requests++;
            response = await _client.GetFileAsync(_source.Url, offset, null, What, ct);
        }
        catch (ConnectorException e) when (e is not VimFaultException)
        {
            // Keep the fault type (CertificateNotTrusted, HostUnreachable, ...), say which disk it was.
            throw new ConnectorException(e.FaultType, $"Reading {What} from vCenter {_client.Authority} at byte {offset}: {e.Message}", e);
        }

        try
        {
            long total;
            if (response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange is { } range)
            {
                if (range.From != offset) throw new ConnectorException("InvalidResponse", $"vCenter {_client.Authority} answered a read of {What} at byte {offset} with bytes from {range.From}.");
                total = range.Length ?? (Length >= 0 ? Length : throw new ConnectorException("InvalidResponse", $"vCenter {_client.Authority} did not say how long {What} is."));
            }
            else if (response.StatusCode == HttpStatusCode.OK && offset == 0 && response.Content.Headers.ContentLength is { } whole)
            {
                // The server ignored the range and sends the whole file: fine for a read from the start.
                total = whole;
            }
            else if (response.StatusCode == HttpStatusCode.OK)
            {
                throw new ConnectorException("RangeNotSupported",
                    $"vCenter {_client.Authority} serves {What} only as a whole stream (HTTP 200 to a range request at byte {offset}); it cannot be read at random offsets.");
            }
            else
            {
                var fault = await HttpFaultAsync(response, _client, What, ct);
                var lease = await _export.LeaseProblemAsync();
                throw lease is null ? fault : new ConnectorException(fault.FaultType, $"{fault.Message} ({lease})", fault);
            }

            if (Length >= 0 && total != Length)
                throw new ConnectorException("InvalidResponse", $"vCenter {_client.Authority} now says {What} is {total} bytes long, not {Length}.");
            Length = total;
            _stream = await response.Content.ReadAsStreamAsync(ct);
            _response = response;
            _position = offset;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private void Close()
    {
        _stream?.Dispose();
        _response?.Dispose();
        _stream = null;
        _response = null;
        _position = -1;
    }

    private async Task<ConnectorException> FailAsync(string faultType, string what, Exception? inner)
    {
        var at = _position;
        Close();
        var lease = await _export.LeaseProblemAsync();
        return new ConnectorException(faultType, $"Reading {What} from vCenter {_client.Authority} failed at byte {at}: {what}{(lease is null ? "" : $" ({lease})")}.", inner);
    }

    /// <summary>An HTTP error answer as a connector fault with the server's own text (its first 2 KiB).</summary>
    public static async Task<ConnectorException> HttpFaultAsync(HttpResponseMessage response, VimClient client, string what, CancellationToken ct)
    {
        string text;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[MaxErrorText];
            var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
            text = Encoding.UTF8.GetString(buffer, 0, read).Trim();
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            text = "";
        }

        var code = (int)response.StatusCode;
        var fault = response.StatusCode switch
        {
            HttpStatusCode.NotFound => "FileNotFound",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "NoPermission",
            _ => $"Http{code}",
        };
        return new ConnectorException(fault, $"vCenter {client.Authority} answered the read of {what} with HTTP {code} {response.ReasonPhrase}{(text.Length == 0 ? "" : ": " + text)}");
    }
}
