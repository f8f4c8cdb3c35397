using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using MigrationPortal.Infrastructure.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Connectors;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Connectors.VSphere;
using MigrationPortal.Infrastructure.Connectors.Libvirt;
using MigrationPortal.Infrastructure.Conversion;
using MigrationPortal.Infrastructure.Export;
using MigrationPortal.Infrastructure.Jobs;
using MigrationPortal.Infrastructure.Persistence;
using MigrationPortal.Infrastructure.Security;

namespace MigrationPortal.Infrastructure;

public static class DependencyInjection
{
    public static IServiceCollection AddPortalInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DemoOptions>().Bind(configuration.GetSection(DemoOptions.Section)).ValidateOnStart();
        services.AddDbContextFactory<PortalDbContext>((sp, options) =>
            PortalDbContextOptions.Configure(options, sp.GetRequiredService<IOptions<DatabaseOptions>>().Value), ServiceLifetime.Scoped);
        services.AddScoped<IPortalDb>(sp => sp.GetRequiredService<PortalDbContext>());
        services.AddScoped<IPortalDbFactory, PortalDbFactory>();

        var dataProtection = services.AddDataProtection().SetApplicationName("MigrationPortal").PersistKeysToDbContext<PortalDbContext>();
        KeyProtectionOptions.Apply(dataProtection, configuration);
        services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();

        services.AddSingleton<IAuditExportFormat, CsvAuditExportFormat>();
        services.AddSingleton<ICsvTables, CsvTables>();
        services.AddSingleton<IAuditExportFormat, JsonLinesAuditExportFormat>();

        services.AddOptions<VSphereOptions>().Bind(configuration.GetSection(VSphereOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.RequestTimeout > o.WaitForUpdatesMaxWait, "VSphere:RequestTimeout must exceed VSphere:WaitForUpdatesMaxWait.").ValidateOnStart();
        services.AddConnectorKind<DemoConnector, DemoDescriptor>(ConnectionKinds.Demo);
        services.AddSingleton(DemoItineraries.Conversion);
        services.AddConnectorKind<VSphereConnector, VSphereDescriptor>(ConnectionKinds.VSphere);
        services.AddOptions<LibvirtOptions>().Bind(configuration.GetSection(LibvirtOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LibvirtJobRegistry>();
        services.AddConnectorKind<LibvirtConnector, LibvirtDescriptor>(ConnectionKinds.Libvirt);
        // Each kind whose connector also reads utilisation (IUtilisationCollector) is collected; the others are skipped.
        services.AddUtilisationCollectorIfAny<DemoConnector>(ConnectionKinds.Demo);
        services.AddUtilisationCollectorIfAny<VSphereConnector>(ConnectionKinds.VSphere);
        services.AddUtilisationCollectorIfAny<LibvirtConnector>(ConnectionKinds.Libvirt);
        services.AddScoped<IUtilisationCollectors, UtilisationCollectors>();
        services.AddScoped<IUtilisationStore, UtilisationStore>();
        services.AddScoped<UtilisationJobs>();
        services.AddOptions<ConversionOptions>().Bind(configuration.GetSection(ConversionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IDiskConverter, QemuImgDiskConverter>();
        // Only a portal with a conversion host set up converts guests; elsewhere the convert-guest step does not apply.
        if (configuration.GetValue<bool>($"{ConversionOptions.Section}:VirtV2v:Enabled"))
        {
            services.AddSingleton<IGuestConverter, VirtV2vGuestConverter>();
        }
        services.AddScoped<IConnectorResolver, ConnectorResolver>();
        services.AddScoped<IMigrationJobs, HangfireMigrationJobs>();
        services.AddScoped<PortalJobs>();
        services.AddScoped<NotificationJobs>();
        services.AddSingleton<IMailSender, MigrationPortal.Infrastructure.Notifications.MailKitMailSender>();
        services.AddScoped<DatabaseInitializer>();

        // Identity's stores live here, beside the DbContext; the web host adds sign-in on top.
        services.AddIdentityCore<PortalAccount>(o =>
            {
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.Password.RequiredLength = 12;
                o.User.RequireUniqueEmail = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddDefaultTokenProviders();
        services.AddScoped<IAccountDirectory, IdentityAccountDirectory>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<MigrationPortal.Application.Optimization.IConsolidationSolver, MigrationPortal.Infrastructure.Optimization.CpSatConsolidationSolver>();
        return services;
    }
}

public sealed class PortalDbFactory(IDbContextFactory<PortalDbContext> factory) : IPortalDbFactory
{
    public async Task<IPortalDb> CreateAsync(CancellationToken ct = default) => await factory.CreateDbContextAsync(ct);
}
