namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// The operation ID the portal persists for a libvirt transfer. libvirt has no job IDs that outlive a call, so the ID
/// names what a restarted process needs to find the job again: the kind, the host URIs and the domain UUID, e.g.
/// <c>migrate|qemu%2Bunix...|qemu%2Btls...|4d504c41-...</c> or <c>blockcopy|host|uuid|pool</c>.
/// </summary>
internal sealed record LibvirtOperation(string Kind, string SourceUri, string Target, string DomainUuid)
{
    public const string Migrate = "migrate", BlockCopy = "blockcopy";

    public override string ToString() =>
        string.Join('|', Kind, Uri.EscapeDataString(SourceUri), Uri.EscapeDataString(Target), DomainUuid);

    public static LibvirtOperation Parse(string id)
    {
        var parts = id.Split('|');
        if (parts.Length != 4 || parts[0] is not (Migrate or BlockCopy))
            throw new LibvirtException(LibvirtException.InvalidArg, LibvirtException.FromNone, $"'{id}' is not a libvirt operation ID of this portal.", "parse operation");
        return new LibvirtOperation(parts[0], Uri.UnescapeDataString(parts[1]), Uri.UnescapeDataString(parts[2]), parts[3]);
    }
}
