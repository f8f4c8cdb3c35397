using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Web.Tests.TestKind;

/// <summary>The real portal with Hangfire's workers on and one more connection kind, installed by one line.</summary>
public sealed class ToyKindWebFactory : PortalWebFactory
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings =>
    [
        ("Hangfire:ServerEnabled", "true"),
        ("Hangfire:WorkerCount", "4"),
        ("Hangfire:QueuePollInterval", "00:00:00.300"),
    ];

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddConnectorKind<ToyConnector, ToyDescriptor>(ToyDescriptor.KindName);
}
