#!/usr/bin/python3
"""Loads what a manufacturer needs to trade into the hub's Tryton database, idempotently (find, else create).

Company (EUR) with currencies and demo rates, fiscal years with periods and invoice sequences, the minimal
chart of accounts, a payment term, an accounting product category, a user `hub` for the adapter, every party
of config/xref/parties.csv (code = our party id) and every item of config/xref/items.csv (code = our SKU).
Run by scripts/erp/setup.sh, which sets TRYTON_CONFIG, TRYTON_DATABASE and TRYTON_HOME.
"""
import csv
import datetime
import os
import re
import sys
from decimal import Decimal

from proteus import Model, Wizard, config as proteus_config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOME = os.environ['TRYTON_HOME']
proteus_config.set_trytond(os.environ['TRYTON_DATABASE'], config_file=os.environ['TRYTON_CONFIG'])

# Demo exchange rates against the company currency (EUR), valid from 2000-01-01. Not market data: a real
# company loads its rates daily (Tryton's currency rate cron or its own import).
COMPANY_CURRENCY = 'EUR'
CURRENCIES = {
    'EUR': ('Euro', '€', Decimal('1')),
    'USD': ('U.S. Dollar', '$', Decimal('1.08')),
    'GBP': ('Pound Sterling', '£', Decimal('0.85')),
    'SEK': ('Swedish Krona', 'kr', Decimal('11.5')),
    'NOK': ('Norwegian Krone', 'kr', Decimal('11.6')),
    'DKK': ('Danish Krone', 'kr', Decimal('7.46')),
}
# UN/ECE Rec 20 code -> Tryton unit symbol (standard units of the product module, plus box and pack).
UNIT_SYMBOLS = {'C62': 'u', 'KGM': 'kg', 'LTR': 'l', 'MTR': 'm', 'DAY': 'd', 'HUR': 'h', 'BX': 'box', 'PK': 'pack'}
SERVICE_UNITS = {'DAY', 'HUR'}


def log(message):
    print(f'[erp] {message}', file=sys.stderr)


def one(model, domain):
    found = Model.get(model).find(domain, limit=1)
    return found[0] if found else None


def read_csv(path):
    with open(path, newline='', encoding='utf-8') as handle:
        return list(csv.DictReader(line for line in handle if line.strip() and not line.startswith('#')))


def partner_names():
    """Partner id -> display name from config/hub.yaml ("ACME Retail (customer, ...)" -> "ACME Retail")."""
    try:
        import yaml
        with open(os.path.join(ROOT, 'config', 'hub.yaml'), encoding='utf-8') as handle:
            partners = yaml.safe_load(handle).get('partners', {})
        return {key: re.sub(r'\s*\(.*\)\s*$', '', value.get('name') or key) for key, value in partners.items()}
    except Exception:  # names are cosmetic; the codes are what the adapter resolves
        return {}


def ensure_currencies():
    Currency = Model.get('currency.currency')
    Rate = Model.get('currency.currency.rate')
    result = {}
    for code, (name, symbol, rate) in CURRENCIES.items():
        currency = one('currency.currency', [('code', '=', code)])
        if not currency:
            currency = Currency(name=name, symbol=symbol, code=code, rounding=Decimal('0.01'), digits=2)
            currency.save()
        if not Rate.find([('currency', '=', currency.id)]):
            Rate(currency=currency, date=datetime.date(2000, 1, 1), rate=rate).save()
        result[code] = currency
    return result


def ensure_company(currencies):
    Company = Model.get('company.company')
    User = Model.get('res.user')
    companies = Company.find([])
    if not companies:
        Party = Model.get('party.party')
        party = Party(name='Hub Manufacturing Ltd.', code='SELF')
        party.save()
        wizard = Wizard('company.company.config')
        wizard.execute('company')
        wizard.form.party = party
        wizard.form.currency = currencies[COMPANY_CURRENCY]
        wizard.execute('add')
        companies = Company.find([])
        log('company created')
    company = companies[0]
    admin = User.find([('login', '=', 'admin')])[0]
    if admin.company != company:
        admin.companies.append(company)
        admin.company = company
        admin.save()
    proteus_config.get_config()._context = User.get_preferences(True, {})
    return company


def ensure_chart(company):
    Account = Model.get('account.account')
    if not Account.find([('company', '=', company.id)]):
        ModelData = Model.get('ir.model.data')
        data, = ModelData.find([('module', '=', 'account'), ('fs_id', '=', 'account_template_root_en')], limit=1)
        wizard = Wizard('account.create_chart')
        wizard.execute('account')
        wizard.form.account_template = Model.get('account.account.template')(data.db_id)
        wizard.form.company = company
        wizard.execute('create_account')
        wizard.form.account_receivable = accounts(company)['receivable']
        wizard.form.account_payable = accounts(company)['payable']
        wizard.execute('create_properties')
        log('chart of accounts created')
    return accounts(company)


def accounts(company):
    Account = Model.get('account.account')
    found = {}
    for kind in ('receivable', 'payable', 'revenue', 'expense'):
        found[kind] = Account.find([('type.%s' % kind, '=', True), ('company', '=', company.id)], limit=1)[0]
    found['tax'] = Account.find([('company', '=', company.id), ('name', '=', 'Main Tax')], limit=1)[0]
    return found


def ensure_fiscal_years(company):
    """The current and the next calendar year, with monthly periods and invoice sequences."""
    FiscalYear = Model.get('account.fiscalyear')
    Sequence = Model.get('ir.sequence')
    SequenceStrict = Model.get('ir.sequence.strict')
    SequenceType = Model.get('ir.sequence.type')
    this_year = datetime.date.today().year
    for year in (this_year, this_year + 1):
        if FiscalYear.find([('company', '=', company.id), ('start_date', '=', datetime.date(year, 1, 1))]):
            continue
        move_type, = SequenceType.find([('name', '=', 'Account Move')], limit=1)
        invoice_type, = SequenceType.find([('name', '=', 'Invoice')], limit=1)
        move_sequence = Sequence(name=str(year), sequence_type=move_type, company=company)
        move_sequence.save()
        invoice_sequence = SequenceStrict(name=str(year), sequence_type=invoice_type, company=company,
            prefix=f'INV/{year}/', padding=5)
        invoice_sequence.save()
        fiscal_year = FiscalYear(name=str(year), company=company, start_date=datetime.date(year, 1, 1),
            end_date=datetime.date(year, 12, 31), post_move_sequence=move_sequence)
        sequences, = fiscal_year.invoice_sequences
        sequences.out_invoice_sequence = sequences.in_invoice_sequence = invoice_sequence
        sequences.out_credit_note_sequence = sequences.in_credit_note_sequence = invoice_sequence
        fiscal_year.save()
        fiscal_year.click('create_period')
        log(f'fiscal year {year} created')


def ensure_payment_term():
    term = one('account.invoice.payment_term', [('name', '=', 'Net 30 days')])
    if not term:
        term = Model.get('account.invoice.payment_term')(name='Net 30 days')
        line = term.lines.new(type='remainder')
        line.relativedeltas.new(days=30)
        term.save()
    return term


def ensure_category(company_accounts):
    category = one('product.category', [('name', '=', 'Traded goods')])
    if not category:
        category = Model.get('product.category')(name='Traded goods', accounting=True)
        category.account_expense = company_accounts['expense']
        category.account_revenue = company_accounts['revenue']
        category.save()
    return category


def ensure_units():
    Uom = Model.get('product.uom')
    Category = Model.get('product.uom.category')
    for symbol, name in (('box', 'Box'), ('pack', 'Pack')):
        if not Uom.find([('symbol', '=', symbol)]):
            category = Category(name=f'{name} (packaging)')
            category.save()
            Uom(name=name, symbol=symbol, category=category, rate=1, factor=1, rounding=1, digits=0).save()
    return {code: Uom.find([('symbol', '=', symbol)], limit=1)[0] for code, symbol in UNIT_SYMBOLS.items()}


def ensure_hub_user(company):
    User = Model.get('res.user')
    with open(os.path.join(HOME, 'hub.password'), encoding='utf-8') as handle:
        password = handle.read().strip()
    user = one('res.user', [('login', '=', 'hub')])
    if not user:
        admin = User.find([('login', '=', 'admin')])[0]
        user = User(name='B2B hub', login='hub')
        Group = Model.get('res.group')
        user.groups.extend(Group(group.id) for group in admin.groups)
        user.companies.append(Model.get('company.company')(company.id))
        user.company = Model.get('company.company')(company.id)
        user.password = password
        user.save()
        log('user hub created')
    return user


def ensure_parties(term):
    Party = Model.get('party.party')
    names = partner_names()
    seen = {}
    for row in read_csv(os.path.join(ROOT, 'config', 'xref', 'parties.csv')):
        seen.setdefault(row['value'], names.get(row['partner']) or row['value'])
    for code, name in seen.items():
        if one('party.party', [('code', '=', code)]):
            continue
        party = Party(name=name, code=code)
        address = party.addresses[0] if party.addresses else party.addresses.new()
        address.name = name
        if code.startswith('CUST-'):
            party.customer_payment_term = term
        else:
            party.supplier_payment_term = term
        party.save()
        log(f'party {code} created')


def ensure_products(category, units):
    Template = Model.get('product.template')
    unit_of = {row['sku']: row['unit'] for row in read_csv(os.path.join(ROOT, 'scripts', 'erp', 'item-units.csv'))}
    names = {}
    for row in read_csv(os.path.join(ROOT, 'config', 'xref', 'items.csv')):
        names.setdefault(row['value'], row['name'] or row['value'])
    created = 0
    for sku, name in names.items():
        if one('product.product', [('code', '=', sku)]):
            continue
        unit = unit_of.get(sku, 'C62')
        template = Template(name=name, code=sku, type='service' if unit in SERVICE_UNITS else 'goods',
            default_uom=units[unit], list_price=Decimal('1'), salable=True, purchasable=True,
            account_category=category)
        if template.type == 'goods':
            template.purchase_uom = template.sale_uom = units[unit]
        product, = template.products
        product.cost_price = Decimal('1')
        template.save()
        created += 1
    log(f'products: {len(names)} in the cross-reference, {created} created')


def main():
    currencies = ensure_currencies()
    company = ensure_company(currencies)
    company_accounts = ensure_chart(company)
    ensure_fiscal_years(company)
    term = ensure_payment_term()
    category = ensure_category(company_accounts)
    units = ensure_units()
    ensure_hub_user(company)
    ensure_parties(term)
    ensure_products(category, units)
    warehouse, = Model.get('stock.location').find([('type', '=', 'warehouse')], limit=1)
    log(f'warehouse {warehouse.code} ({warehouse.name}) storage {warehouse.storage_location.code}')


if __name__ == '__main__':
    main()
