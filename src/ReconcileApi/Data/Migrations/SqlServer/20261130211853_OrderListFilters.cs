using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReconcileApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class OrderListFilters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CustomerEmail",
                table: "Orders",
                type: "nvarchar(320)",
                maxLength: 320,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OrderNumber",
                table: "Orders",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            // Orders stored before these columns: read from their canonical payload.
            migrationBuilder.Sql("""
                UPDATE [Orders] SET [OrderNumber] = JSON_VALUE([Payload], '$.orderNumber'), [CustomerEmail] = LOWER(TRIM(JSON_VALUE([Payload], '$.customerEmail')));
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Orders_WorkspaceId_Source_CustomerEmail",
                table: "Orders",
                columns: new[] { "WorkspaceId", "Source", "CustomerEmail" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Orders_WorkspaceId_Source_CustomerEmail",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "CustomerEmail",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "OrderNumber",
                table: "Orders");
        }
    }
}
