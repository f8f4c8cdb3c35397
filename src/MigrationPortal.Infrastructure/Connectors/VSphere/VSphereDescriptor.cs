using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>
/// vCenter as the portal describes it: an https SDK URL, a VM snapshot as the safety copy, and vSphere's own limits (8
/// vMotions per host, outgoing and incoming counted together; 2 Storage vMotions per host; a datastore budget of 128 where
/// a vMotion costs 1 and a Storage vMotion 16).
/// </summary>
public sealed class VSphereDescriptor : IConnectorDescriptor
{
    public const string HostMigrations = "host";
    public const string HostStorageMigrations = "host-storage";
    public const string DatastoreBudget = "datastore-budget";
    public const string ComputeCost = "datastore-cost-compute";
    public const string StorageCost = "datastore-cost-storage";

    public string Kind => ConnectionKinds.VSphere;

    public string DisplayName => "vSphere (vCenter)";

    public bool ConvertsFrom => true;

    public IReadOnlyList<ConnectionField> Fields { get; } =
    [
        new(ConnectionInput.Endpoint, "Endpoint URL", "The vCenter SDK URL, such as https://vcenter.example/sdk.", Required: true),
        new(ConnectionInput.Username, "User", "A vCenter account with the portal's role."),
        new(ConnectionInput.Secret, "Password", WriteOnly: true, EditLabel: "New password (empty keeps the old one)"),
        new(ConnectionInput.PinnedThumbprint, "Pinned SHA-256 thumbprint", "For a self-signed vCenter: the certificate thumbprint \"Test\" shows."),
        new(ConnectionInput.CaCertificatePem, "CA certificate (PEM)", "For a vCenter signed by a private CA.", Multiline: true),
    ];

    public void ValidateConnection(ConnectionFormInput input, Validation check)
    {
        var valid = Uri.TryCreate(input.Endpoint, UriKind.Absolute, out var endpoint);
        check.Require(valid, nameof(ConnectionInput.Endpoint), "Give the endpoint as a URL, such as https://vcenter.example/sdk.");
        if (valid) check.Require(endpoint!.Scheme == Uri.UriSchemeHttps, nameof(ConnectionInput.Endpoint), "vCenter is reached over https only.");
        check.Require(string.IsNullOrWhiteSpace(input.CaCertificatePem) || PemCertificates.Parse(input.CaCertificatePem), nameof(ConnectionInput.CaCertificatePem),
            "Paste the CA certificate in PEM form (-----BEGIN CERTIFICATE----- ...); this text is not a certificate that can be read.");
    }

    public SafetyCopyWording SafetyCopy { get; } = new("a snapshot (vSphere)", "Take a snapshot first",
        "a vCenter snapshot of the VM; the clean-up step removes it or keeps it, per the retention setting");

    public IReadOnlyList<LimitDefinition> Limits { get; } =
    [
        new(HostMigrations, "vMotions per host", 8, "Outgoing and incoming together, as vCenter counts them."),
        new(HostStorageMigrations, "Storage vMotions per host", 2),
        new(DatastoreBudget, "Datastore cost budget", 128),
        new(ComputeCost, "Datastore cost of a vMotion", 1),
        new(StorageCost, "Datastore cost of a Storage vMotion", 16),
    ];

    public void ValidateLimits(IReadOnlyDictionary<string, int> values, Validation check)
    {
        check.Require(values[StorageCost] <= values[DatastoreBudget], StorageCost, "A Storage vMotion's cost cannot exceed the datastore budget, or none could ever start.");
        check.Require(values[ComputeCost] <= values[DatastoreBudget], ComputeCost, "A vMotion's cost cannot exceed the datastore budget, or none could ever start.");
    }

    public IEnumerable<ResourceDemand> DemandsOf(MoveDemand move, Func<string, int> limit)
    {
        var demands = new List<ResourceDemand>();
        // vSphere's per-host vMotion limit counts a host's outgoing and incoming migrations together.
        if (move.Request.Kind.MovesCompute()) demands.AddRange(ResourceDemands.SharedPerHost(move, limit(HostMigrations)));
        if (move.Request.Kind.MovesStorage() && move.SourceHost is { } source)
            demands.Add(new(move.Scoped("host-storage", source), $"host {move.SourceHostName} (Storage vMotion)", 1, limit(HostStorageMigrations)));
        demands.AddRange(ResourceDemands.Datastores(move, limit(DatastoreBudget), limit(ComputeCost), limit(StorageCost)));
        return demands;
    }
}
