using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>Where one exported disk's bytes are read: its description for the caller and its URL on vCenter.</summary>
public sealed record VSphereDiskSource(ExportedDisk Disk, Uri Url);

/// <summary>
/// An open ExportVm lease (<see cref="IDiskExport"/>). While it is open a keep-alive reports the last progress to vCenter
/// (HttpNfcLeaseProgress) every <see cref="VSphereOptions.LeaseProgressInterval"/>; it also watches the lease's state,
/// so that once vCenter reports the lease in error, aborted or gone, every read fails with a <see cref="ConnectorException"/>
/// instead of serving bytes from a VM that is no longer held. It ends with HttpNfcLeaseComplete or HttpNfcLeaseAbort;
/// disposing it without either aborts it.
/// </summary>
public sealed partial class VSphereDiskExport : IDiskExport
{
    /// <summary>A text descriptor is a few hundred bytes; anything larger is not one (a monolithic sparse file, for example).</summary>
    private const int MaxDescriptorBytes = 64 * 1024;

    private readonly VimClient _client;
    private readonly MoRef _lease;
    private readonly string _vmName;
    private readonly IReadOnlyList<VSphereDiskSource> _sources;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _keepAlive;
    private int _percent;
    private volatile string? _failure;
    private int _ended;

    public VSphereDiskExport(VimClient client, MoRef lease, string vmName, IReadOnlyList<VSphereDiskSource> sources, TimeSpan keepAliveInterval, TimeProvider time, ILogger logger)
    {
        _client = client;
        _lease = lease;
        _vmName = vmName;
        _sources = sources;
        _time = time;
        _logger = logger;
        _keepAlive = Task.Run(() => KeepAliveAsync(keepAliveInterval));
    }

    public string ExportId => _lease.Value;

    public IReadOnlyList<ExportedDisk> Disks => _sources.Select(s => s.Disk).ToList();

    /// <summary>Why the export can no longer be read (lease in error, aborted, gone, or ended here); null while it is usable.</summary>
    public string? Failure => _failure;

    public async Task<IRandomAccessDisk> OpenAsync(ExportedDisk disk, CancellationToken ct)
    {
        ThrowIfUnusable(disk.Label);
        var source = _sources.FirstOrDefault(s => s.Disk.Key == disk.Key)
            ?? throw new ConnectorException("DiskNotExported", $"Export lease {_lease.Value} of {_vmName} does not serve disk {disk.Key} ({disk.Label}).");
        // A flat extent stays readable over /folder after the lease has ended, but then nothing holds the VM any more:
        // each disk is opened only under a lease vCenter still reports ready (the keep-alive watches it from then on).
        if (await LeaseProblemAsync() is { } problem) _failure ??= problem;
        ThrowIfUnusable(disk.Label);
        return await VSphereDiskReader.OpenAsync(_client, source, this, _vmName, ct);
    }

    public void ReportProgress(int percent) => Volatile.Write(ref _percent, Math.Clamp(percent, 0, 100));

    public async Task CompleteAsync(CancellationToken ct)
    {
        ThrowIfUnusable("the export");
        await StopKeepAliveAsync();
        try
        {
            await _client.InvokeAsync("HttpNfcLeaseProgress", _lease, ct, Vim.E("percent", 100));
            await _client.InvokeAsync("HttpNfcLeaseComplete", _lease, ct);
        }
        catch (VimFaultException e)
        {
            _failure = $"export lease {_lease.Value} of {_vmName} could not be completed in vCenter {_client.Authority}: {e.Message}";
            throw;
        }

        Interlocked.Exchange(ref _ended, 1);
        _failure = $"export lease {_lease.Value} of {_vmName} was completed";
        _logger.LogInformation("Export lease {Lease} of {Vm} completed.", _lease.Value, _vmName);
    }

    public async Task AbortAsync(string reason, CancellationToken ct)
    {
        await StopKeepAliveAsync();
        if (Interlocked.Exchange(ref _ended, 1) == 1) return;
        _failure = $"export lease {_lease.Value} of {_vmName} was aborted: {reason}";
        try
        {
            await _client.InvokeAsync("HttpNfcLeaseAbort", _lease, ct, AbortFault(reason));
        }
        catch (VimFaultException e)
        {
            // vCenter answers an abort of an ended lease with the lease's own fault (or ManagedObjectNotFound once it is gone).
            if (!await HasEndedAsync(ct)) throw;
            _logger.LogInformation("Export lease {Lease} of {Vm} had already ended when it was to be aborted ({Fault}: {Message}).", _lease.Value, _vmName, e.FaultType, e.Message);
        }
    }

    private async Task<bool> HasEndedAsync(CancellationToken ct)
    {
        try
        {
            return (await _client.RetrieveObjectAsync(_lease, ["state"], ct)).String("state") is "done" or "error";
        }
        catch (VimFaultException e) when (e.Is("ManagedObjectNotFound"))
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _ended) == 0)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await AbortAsync("the portal closed the export without completing it (the conversion step failed or was cancelled)", cts.Token);
            }
            catch (Exception e) when (e is ConnectorException or OperationCanceledException)
            {
                _logger.LogWarning("Could not abort export lease {Lease} of {Vm}: {Message}. vCenter ends it after its lease timeout.", _lease.Value, _vmName, e.Message);
            }
        }

        await StopKeepAliveAsync();
        _stop.Dispose();
    }

    /// <summary>Throws when the export can no longer be read; readers call it before every read.</summary>
    public void ThrowIfUnusable(string what)
    {
        if (_failure is { } failure)
            throw new ConnectorException("ExportEnded", $"Cannot read {what} of {_vmName} from vCenter {_client.Authority}: {failure}.");
    }

    /// <summary>After a failed read: what vCenter says about the lease now, for the message (null when it is still ready).</summary>
    public async Task<string?> LeaseProblemAsync()
    {
        if (_failure is { } known) return known;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            // Once vCenter reports the lease ended, every later read fails too, without asking again.
            return Describe(await _client.RetrieveObjectAsync(_lease, ["state", "error"], cts.Token)) is { } problem ? _failure ??= problem : null;
        }
        catch (VimFaultException e) when (e.Is("ManagedObjectNotFound"))
        {
            return _failure = $"export lease {_lease.Value} no longer exists in vCenter (aborted or timed out)";
        }
        catch (Exception e) when (e is ConnectorException or OperationCanceledException)
        {
            return null;
        }
    }

    private async Task KeepAliveAsync(TimeSpan interval)
    {
        var token = _stop.Token;
        var first = true;
        while (!token.IsCancellationRequested)
        {
            try
            {
                // The first beat goes at once: the lease's clock has been running since it became ready.
                if (!first) await Task.Delay(interval, _time, token);
                first = false;
                var lease = await _client.RetrieveObjectAsync(_lease, ["state", "error"], token);
                if (Describe(lease) is { } problem)
                {
                    _failure = problem;
                    _logger.LogWarning("Export of {Vm}: {Problem}.", _vmName, problem);
                    return;
                }

                await _client.InvokeAsync("HttpNfcLeaseProgress", _lease, token, Vim.E("percent", Volatile.Read(ref _percent)));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (VimFaultException e) when (e.FaultType is "ManagedObjectNotFound" or "InvalidState")
            {
                _failure = $"export lease {_lease.Value} ended in vCenter {_client.Authority} ({e.FaultType}: {e.Message})";
                _logger.LogWarning("Export of {Vm}: {Problem}.", _vmName, _failure);
                return;
            }
            catch (ObjectDisposedException)
            {
                // The connector's session ended (its scope was disposed) with the export still open: nothing left to beat with.
                return;
            }
            catch (ConnectorException e)
            {
                // A missed beat is not fatal (the lease times out only after minutes); the next one tries again.
                _logger.LogWarning("Keeping export lease {Lease} of {Vm} alive failed: {Fault}: {Message}", _lease.Value, _vmName, e.FaultType, e.Message);
            }
        }
    }

    private async Task StopKeepAliveAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        await _keepAlive;
    }

    private string? Describe(VimObject lease) => lease.String("state") switch
    {
        "ready" or "initializing" => null,
        "error" => $"export lease {_lease.Value} is in error in vCenter {_client.Authority}: {LeaseError(lease)}",
        var other => $"export lease {_lease.Value} has ended in vCenter {_client.Authority} (state {other ?? "unknown"})",
    };

    private static string LeaseError(VimObject lease) =>
        lease.Get("error") is { HasElements: true } error ? $"{VimFaultException.FromLocalizedFault(error).FaultType}: {VimFaultException.FromLocalizedFault(error).Message}" : "no reason given";

    /// <summary>The fault HttpNfcLeaseAbort records: a SystemError whose reason is the portal's.</summary>
    public static XElement AbortFault(string reason) =>
        Vim.E("fault", Vim.E("fault", new XAttribute(Vim.Xsi + "type", "SystemError"), Vim.E("reason", reason)), Vim.E("localizedMessage", reason));

    public static async Task AbortQuietlyAsync(VimClient client, MoRef lease, string reason, ILogger logger)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await client.InvokeAsync("HttpNfcLeaseAbort", lease, cts.Token, AbortFault(reason));
        }
        catch (Exception e) when (e is ConnectorException or OperationCanceledException)
        {
            logger.LogWarning("Could not abort export lease {Lease}: {Message}. vCenter ends it after its lease timeout.", lease.Value, e.Message);
        }
    }

    /// <summary>Waits until the lease leaves "initializing"; returns its info when ready, throws vCenter's reason when in error.</summary>
    public static async Task<XElement> WaitReadyAsync(VimClient client, MoRef lease, string vmName, TimeSpan timeout, TimeSpan poll, TimeProvider time, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var state = await client.RetrieveObjectAsync(lease, ["state", "error", "info"], ct);
            switch (state.String("state"))
            {
                case "ready":
                    return state.Get("info") ?? throw new VimFaultException("InvalidResponse", $"vCenter {client.Authority} reports export lease {lease.Value} of {vmName} ready but gives no info.");
                case "error":
                    var error = state.Get("error") is { HasElements: true } e ? VimFaultException.FromLocalizedFault(e) : null;
                    throw new VimFaultException(error?.FaultType ?? "ExportFailed",
                        $"vCenter {client.Authority} could not export {vmName} (lease {lease.Value}): {error?.Message ?? "the lease is in error, with no reason given"}", error?.Detail);
                case "done":
                    throw new VimFaultException("ExportFailed", $"vCenter {client.Authority} ended export lease {lease.Value} of {vmName} before it was ready.");
            }

            if (time.GetElapsedTime(started) > timeout)
                throw new VimFaultException("Timedout", $"vCenter {client.Authority} did not make export lease {lease.Value} of {vmName} ready within {timeout.TotalSeconds:0} s.");
            await Task.Delay(poll, time, ct);
        }
    }

    /// <summary>
    /// Decides where each disk is read: a flat disk (no parent) from its flat extent through the datastore's /folder
    /// service, as raw bytes; any other disk from the lease's URL for it, as a VMDK.
    /// </summary>
    public static async Task<IReadOnlyList<VSphereDiskSource>> PlanDisksAsync(VimClient client, VimObject vm, IReadOnlyList<VSphereConvertibleVm.DiskDevice> disks, XElement leaseInfo, CancellationToken ct)
    {
        var urls = leaseInfo.Children("deviceUrl").ToList();
        string? dcPath = null;
        var sources = new List<VSphereDiskSource>();
        foreach (var device in disks)
        {
            var disk = device.Disk;
            if (disk.Backing == DiskBacking.Flat && VSphereConvertibleVm.SplitDatastorePath(disk.FilePath) is { } file)
            {
                dcPath ??= await DatacenterPathAsync(client, vm, ct);
                if (await FlatExtentAsync(client, dcPath, file.Datastore, file.Path, disk, ct) is { } extent)
                {
                    sources.Add(new VSphereDiskSource(new ExportedDisk(disk.Key, disk.Label, disk.CapacityBytes, DiskImageFormat.Raw, extent.ToString()), extent));
                    continue;
                }
            }

            var url = LeaseUrl(urls, device, disks) ?? throw new ConnectorException("DiskNotExported",
                $"vCenter {client.Authority}'s export of {vm.String("name")} serves no URL for {disk.Label} ({disk.FilePath}, {disk.Backing}).");
            var uri = ResolveLeaseUrl(client, url);
            sources.Add(new VSphereDiskSource(new ExportedDisk(disk.Key, disk.Label, disk.CapacityBytes, DiskImageFormat.Vmdk, Redact(uri)), uri));
        }

        return sources;
    }

    /// <summary>
    /// The lease's URL for a disk. vCenter keys them "/vm-45/VirtualLsiLogicController0:0" (controller type, bus, unit);
    /// a lab may key them by the device key; otherwise the disk URLs are taken in the disks' device-key order.
    /// </summary>
    private static string? LeaseUrl(List<XElement> urls, VSphereConvertibleVm.DiskDevice device, IReadOnlyList<VSphereConvertibleVm.DiskDevice> all)
    {
        var suffix = $"/{device.ControllerType}{device.BusNumber}:{device.UnitNumber}";
        var byKey = urls.FirstOrDefault(u => u.ChildValue("key") is { } k && (k.EndsWith(suffix, StringComparison.Ordinal) || k == device.Disk.Key));
        if (byKey is not null) return byKey.ChildValue("url");
        var diskUrls = urls.Where(u => u.ChildValue("disk") is null or "true").ToList();
        var index = all.OrderBy(d => int.TryParse(d.Disk.Key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var k) ? k : int.MaxValue).ToList().IndexOf(device);
        return index >= 0 && index < diskUrls.Count && diskUrls.Count == all.Count ? diskUrls[index].ChildValue("url") : null;
    }

    /// <summary>"https://*/nfc/…" means "the host you asked": vCenter, through which it is read with the connection's pin and session.</summary>
    private static Uri ResolveLeaseUrl(VimClient client, string url)
    {
        var star = Regex.Match(url, @"^https?://\*(?::\d+)?(?<rest>/.*)$");
        var text = star.Success ? client.ServerBase.GetLeftPart(UriPartial.Authority) + star.Groups["rest"].Value : url;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri
            : throw new VimFaultException("InvalidResponse", $"vCenter {client.Authority}'s export lease gave a URL that is not one: {url}");
    }

    /// <summary>An export URL's path names the lease's ticket, which lets anyone holding it read the disk: messages show its file only.</summary>
    private static string Redact(Uri uri) => $"{uri.GetLeftPart(UriPartial.Authority)}/…/{uri.Segments[^1]}";

    /// <summary>The datacenter's inventory path (dcPath of /folder): its name, under the folders above it.</summary>
    private static async Task<string> DatacenterPathAsync(VimClient client, VimObject vm, CancellationToken ct)
    {
        var current = (await client.RetrieveObjectAsync(vm.Ref, ["parent", "runtime.host"], ct)) is var v ? v.RefOf("parent") ?? v.RefOf("runtime.host") : null;
        var names = new List<string>();
        var inDatacenter = false;
        for (var hops = 0; current is { } at && hops < 64; hops++)
        {
            var o = await client.RetrieveObjectAsync(at, ["name", "parent"], ct);
            if (at.Type == "Datacenter") inDatacenter = true;
            var parent = o.RefOf("parent");
            if (inDatacenter && parent is not null) names.Insert(0, o.String("name") ?? at.Value);
            current = parent;
        }

        return inDatacenter ? string.Join('/', names)
            : throw new VimFaultException("InvalidResponse", $"vCenter {client.Authority} places {vm.String("name")} in no datacenter.");
    }

    private static Uri FolderUrl(VimClient client, string dcPath, string datastore, string path) =>
        new(client.ServerBase, "/folder/" + string.Join('/', path.Split('/').Select(Uri.EscapeDataString))
            + $"?dcPath={Uri.EscapeDataString(dcPath)}&dsName={Uri.EscapeDataString(datastore)}");

    /// <summary>
    /// Reads the disk's descriptor and returns the URL of its single flat extent ("RW 2097152 VMFS "vm-flat.vmdk""),
    /// or null when the descriptor names something else (a sparse extent, several extents, a parent) and the lease must
    /// serve the disk. A descriptor that is empty or not text gives the conventional "&lt;name&gt;-flat.vmdk".
    /// </summary>
    private static async Task<Uri?> FlatExtentAsync(VimClient client, string dcPath, string datastore, string path, ConvertibleDisk disk, CancellationToken ct)
    {
        var descriptorUrl = FolderUrl(client, dcPath, datastore, path);
        string text;
        using (var response = await client.GetFileAsync(descriptorUrl, 0, MaxDescriptorBytes - 1, $"the descriptor of {disk.Label}", ct))
        {
            if (!response.IsSuccessStatusCode)
                throw await VSphereDiskReader.HttpFaultAsync(response, client, $"the descriptor of {disk.Label} ({descriptorUrl})", ct);
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            text = bytes.Length >= 4 && bytes.AsSpan(0, 4).SequenceEqual("KDMV"u8) ? "" : Encoding.UTF8.GetString(bytes);
        }

        var directory = path.Contains('/') ? path[..(path.LastIndexOf('/') + 1)] : "";
        var parsed = VmdkDescriptor.Parse(text);
        if (parsed is null)
        {
            var name = path[directory.Length..];
            var stem = name.EndsWith(".vmdk", StringComparison.OrdinalIgnoreCase) ? name[..^5] : name;
            return FolderUrl(client, dcPath, datastore, directory + stem + "-flat.vmdk");
        }

        return parsed.HasParent || parsed.Extents.Count != 1 || parsed.Extents[0].Type is not ("FLAT" or "VMFS") || parsed.Extents[0].Offset != 0
            ? null
            : FolderUrl(client, dcPath, datastore, directory + parsed.Extents[0].File);
    }

    /// <summary>The parts of a VMDK text descriptor that say where the bytes are.</summary>
    public sealed partial record VmdkDescriptor(bool HasParent, IReadOnlyList<VmdkExtent> Extents)
    {
        /// <summary>Null when the text holds no extent line (an empty file, or not a descriptor).</summary>
        public static VmdkDescriptor? Parse(string text)
        {
            var extents = new List<VmdkExtent>();
            var hasParent = false;
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.Trim();
                if (line.StartsWith("parentCID", StringComparison.OrdinalIgnoreCase))
                    hasParent = !line.EndsWith("ffffffff", StringComparison.OrdinalIgnoreCase);
                var m = ExtentLine().Match(line);
                if (m.Success)
                    extents.Add(new VmdkExtent(m.Groups["type"].Value.ToUpperInvariant(), m.Groups["file"].Value,
                        m.Groups["offset"].Success ? long.Parse(m.Groups["offset"].Value, CultureInfo.InvariantCulture) : 0));
            }

            return extents.Count == 0 ? null : new VmdkDescriptor(hasParent, extents);
        }

        [GeneratedRegex("^(RW|RDONLY|NOACCESS)\\s+\\d+\\s+(?<type>\\w+)\\s+\"(?<file>[^\"]+)\"(\\s+(?<offset>\\d+))?", RegexOptions.IgnoreCase)]
        private static partial Regex ExtentLine();
    }

    public sealed record VmdkExtent(string Type, string File, long Offset);
}
