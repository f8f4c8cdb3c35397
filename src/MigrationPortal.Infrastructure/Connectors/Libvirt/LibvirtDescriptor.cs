using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// libvirt/KVM as the portal describes it: one URI per host (each qemu+tls host may carry its own pin), TLS material, a
/// backup copy of each disk as the safety copy (a libvirt snapshot's metadata would not follow the domain to another
/// host), and the usual KVM stack's limits: 2 outgoing and 2 incoming live migrations per host.
/// </summary>
public sealed class LibvirtDescriptor : IConnectorDescriptor
{
    public const string HostOutgoing = "host-out";
    public const string HostIncoming = "host-in";
    public const string DatastoreBudget = "datastore-budget";
    public const string ComputeCost = "datastore-cost-compute";
    public const string StorageCost = "datastore-cost-storage";

    public string Kind => ConnectionKinds.Libvirt;

    public string DisplayName => "KVM (libvirt)";

    public bool ConvertsTo => true;

    public IReadOnlyList<ConnectionField> Fields { get; } =
    [
        new(ConnectionInput.Endpoint, "Host URIs", "One libvirt URI per host (qemu+tls://, qemu+ssh:// or qemu+unix://), separated by spaces, commas or new lines; a qemu+tls host may end in #sha256=<thumbprint>.",
            Required: true, Multiline: true),
        new(ConnectionInput.Username, "User"),
        new(ConnectionInput.Secret, "Password", WriteOnly: true, EditLabel: "New password (empty keeps the old one)"),
        new(ConnectionInput.PinnedThumbprint, "Pinned SHA-256 thumbprint", "Pins the first qemu+tls host; pin the others in their URIs."),
        new(ConnectionInput.CaCertificatePem, "CA certificate (PEM)", Multiline: true),
        new(ConnectionInput.ClientCertificatePem, "Client certificate (PEM)", Multiline: true),
        new(ConnectionInput.ClientKeyPem, "Client key (PEM)", WriteOnly: true, Multiline: true, EditLabel: "New client key (empty keeps the old one)"),
    ];

    public void ValidateConnection(ConnectionFormInput input, Validation check)
    {
        var uris = SaveConnection.EndpointUris(input.Endpoint);
        check.Require(uris.Count > 0 && uris.All(u => Uri.TryCreate(u, UriKind.Absolute, out var parsed) && parsed.Scheme.StartsWith("qemu", StringComparison.Ordinal)),
            nameof(ConnectionInput.Endpoint), "Give one libvirt URI per host, such as qemu+tls://kvm1.example/system qemu+tls://kvm2.example/system.");
        // Each qemu+tls host has its own certificate, so each may carry its own pin (…/system#sha256=<thumbprint>).
        var pinProblem = LibvirtEndpoint.PinProblem(input.Endpoint, input.PinnedThumbprint);
        check.Require(pinProblem is null, nameof(ConnectionInput.Endpoint), pinProblem ?? "");
        check.Require(input.PinnedThumbprint is null || uris.Any(u => new LibvirtEndpoint.Host(u, null).IsTls), nameof(ConnectionInput.PinnedThumbprint),
            "Only a qemu+tls host has a certificate to pin, and this connection has none.");
        check.Require(string.IsNullOrWhiteSpace(input.CaCertificatePem) || PemCertificates.Parse(input.CaCertificatePem), nameof(ConnectionInput.CaCertificatePem),
            "Paste the CA certificate in PEM form (-----BEGIN CERTIFICATE----- ...); this text is not a certificate that can be read.");
        check.Require(string.IsNullOrWhiteSpace(input.ClientCertificatePem) || PemCertificates.Parse(input.ClientCertificatePem), nameof(ConnectionInput.ClientCertificatePem),
            "Paste the client certificate in PEM form (-----BEGIN CERTIFICATE----- ...); this text is not a certificate that can be read.");
        check.Require(input.ClientKeyPem is null || input.ClientKeyPem.Contains("PRIVATE KEY", StringComparison.Ordinal), nameof(ConnectionInput.ClientKeyPem), "Paste the client private key in PEM form.");
    }

    public SafetyCopyWording SafetyCopy { get; } = new("a disk backup copy (KVM)", "Back up the disks first (a copy of each disk)",
        "a backup copy of each disk on KVM; the clean-up step removes it or keeps it, per the retention setting");

    public IReadOnlyList<LimitDefinition> Limits { get; } =
    [
        new(HostOutgoing, "Outgoing migrations per host", 2),
        new(HostIncoming, "Incoming migrations per host", 2),
        new(DatastoreBudget, "Datastore cost budget", 128),
        new(ComputeCost, "Datastore cost of a live migration", 1),
        new(StorageCost, "Datastore cost of a storage migration", 16),
    ];

    public void ValidateLimits(IReadOnlyDictionary<string, int> values, Validation check)
    {
        check.Require(values[StorageCost] <= values[DatastoreBudget], StorageCost, "A storage migration's cost cannot exceed the datastore budget, or none could ever start.");
        check.Require(values[ComputeCost] <= values[DatastoreBudget], ComputeCost, "A live migration's cost cannot exceed the datastore budget, or none could ever start.");
    }

    public IEnumerable<ResourceDemand> DemandsOf(MoveDemand move, Func<string, int> limit)
    {
        var demands = new List<ResourceDemand>();
        if (move.Request.Kind.MovesCompute())
        {
            demands.AddRange(ResourceDemands.Outgoing(move, limit(HostOutgoing)));
            demands.AddRange(ResourceDemands.Incoming(move, limit(HostIncoming)));
        }

        // A storage move (blockcopy) is driven from the source host, so it takes one of that host's outgoing slots.
        if (move.Request.Kind.MovesStorage()) demands.AddRange(ResourceDemands.Outgoing(move, limit(HostOutgoing)));
        demands.AddRange(ResourceDemands.Datastores(move, limit(DatastoreBudget), limit(ComputeCost), limit(StorageCost)));
        return demands;
    }
}
