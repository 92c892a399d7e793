def home(request):
    raise NotImplementedError


def street_map(request):
    raise NotImplementedError
