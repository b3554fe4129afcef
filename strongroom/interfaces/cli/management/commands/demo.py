from django.core.management.base import BaseCommand

from strongroom.commerce.demo import demo_load


class Command(BaseCommand):
    help = "Load the demo catalog, customers and orders, and print a fresh owner login."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="only load the catalog when the store has no products")

    def handle(self, *args, if_empty: bool = False, **options):
        result = demo_load(if_empty=if_empty)
        if result.catalog_loaded:
            self.stdout.write("Demo catalog, customers and orders loaded.")
        else:
            self.stdout.write("The store already has products: demo catalog not loaded again.")
        self.stdout.write(
            f"Demo owner login (password generated just now, shown once):\n"
            f"  email:    {result.owner_email}\n  password: {result.owner_password}"
        )
